// parseSettings with registryCredentials workloadIdentity and the serviceAccount input.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { acrEndpoint, rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

const WORKLOAD_IDENTITY: Partial<RawInputs> = {
  registryCredentials: 'workloadIdentity',
  containerRegistry: '',
  repository: 'myregistry.azurecr.io/team/web',
  serviceAccount: 'kaniko-builder',
};

describe('settings: workload identity registry', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (inputs: Partial<RawInputs>) => parseSettings(rawRun(root(), { inputs: { ...WORKLOAD_IDENTITY, ...inputs }, registryEndpoint: null }));
  const problemsOf = (inputs: Partial<RawInputs>) => settingsProblems(rawRun(root(), { inputs: { ...WORKLOAD_IDENTITY, ...inputs }, registryEndpoint: null }));

  it('maps the ACR host to the acr-env helper', () => {
    const settings = parse({});
    assert.deepEqual(settings.registry, {
      connectionName: '', host: 'myregistry.azurecr.io', authKey: 'myregistry.azurecr.io', username: '', password: '', helper: 'acr-env',
    });
    assert.equal(settings.image.repository, 'myregistry.azurecr.io/team/web');
    assert.equal(settings.pod.serviceAccount, 'kaniko-builder');
    assert.deepEqual(settings.pod.workloadIdentity, {});
  });

  it('ignores a registry connection it was given', () => {
    const settings = parseSettings(rawRun(root(), { inputs: WORKLOAD_IDENTITY, registryEndpoint: acrEndpoint('other.azurecr.io') }));
    assert.equal(settings.registry.host, 'myregistry.azurecr.io');
    assert.equal(settings.registry.password, '');
  });

  it('lower-cases the login server', () => {
    assert.equal(parse({ repository: 'MyRegistry.AzureCR.io/team/web' }).image.repository, 'myregistry.azurecr.io/team/web');
  });

  const clouds: [string, string | undefined][] = [
    ['myregistry.azurecr.io', undefined],
    ['myregistry.azurecr.cn', 'AzureChinaCloud'],
    ['myregistry.azurecr.us', 'AzureUSGovernmentCloud'],
    ['myregistry.azurecr.de', 'AzureGermanCloud'],
    ['myregistry-abc123.azurecr.io', undefined],
  ];
  for (const [host, azureEnvironment] of clouds) {
    it(`login server ${host} is accepted`, () => {
      const settings = parse({ repository: `${host}/team/web` });
      assert.equal(settings.registry.host, host);
      assert.equal(settings.pod.workloadIdentity?.azureEnvironment, azureEnvironment);
    });
  }

  it('repository without a host is rejected', () => {
    const problems = problemsOf({ repository: 'team/web' });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input repository: 'team\/web' has no registry host\./);
    assert.match(problems[0], /such as myregistry\.azurecr\.io\/team\/web\.$/);
  });

  for (const host of ['ghcr.io', 'registry.example.test', 'myregistry.azurecr.io.example.test', 'azurecr.io', 'myregistry.azurecr.io:443', 'mcr.microsoft.com']) {
    it(`registry ${host} is rejected`, () => {
      const problems = problemsOf({ repository: `${host}/team/web` });
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input repository: '${host}/team/web' names the registry ${host}, but registryCredentials workloadIdentity works only with Azure Container Registry`), problems[0]);
      assert.match(problems[0], /set registryCredentials to serviceConnection/);
    });
  }

  it('empty repository is reported once', () => {
    assert.deepEqual(problemsOf({ repository: '' }), ['Input repository: it is empty. Enter the image repository, such as team/web.']);
  });

  it('service account is required', () => {
    const problems = problemsOf({ serviceAccount: '' });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input serviceAccount: registryCredentials workloadIdentity needs the Kubernetes service account/);
  });

  it('invalid service account is rejected', () => {
    for (const serviceAccount of ['Kaniko_Builder', '-builder', 'x'.repeat(254)]) {
      const problems = problemsOf({ serviceAccount });
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input serviceAccount: '${serviceAccount}' is not a valid service account name.`), problems[0]);
    }
  });

  it('all problems are listed together', () => {
    const problems = problemsOf({ repository: 'ghcr.io/team/web', serviceAccount: '', tags: 'bad tag' });
    assert.equal(problems.length, 3, problems.join('\n'));
  });
});

describe('settings: registryCredentials and serviceAccount', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  it('empty registryCredentials means the service connection', () => {
    const settings = parseSettings(rawRun(root(), { inputs: { registryCredentials: '' } }));
    assert.equal(settings.registry.connectionName, 'acr-connection');
    assert.equal(settings.registry.helper, undefined);
    assert.equal(settings.pod.workloadIdentity, undefined);
  });

  it('unknown registryCredentials is rejected', () => {
    const problems = settingsProblems(rawRun(root(), { inputs: { registryCredentials: 'managedIdentity' } }));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input registryCredentials: 'managedIdentity' is not a valid choice\. Use serviceConnection .* or workloadIdentity/);
  });

  it('service connection mode still needs the connection', () => {
    const problems = settingsProblems(rawRun(root(), { registryEndpoint: null }));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input containerRegistry: no service connection was given/);
  });

  it('service account is optional with a connection', () => {
    const settings = parseSettings(rawRun(root(), { inputs: { serviceAccount: 'builder.team-a' } }));
    assert.equal(settings.pod.serviceAccount, 'builder.team-a');
    assert.equal(settings.pod.workloadIdentity, undefined);
    assert.equal(parseSettings(rawRun(root())).pod.serviceAccount, undefined);
  });

  it('invalid service account is rejected with a connection', () => {
    const problems = settingsProblems(rawRun(root(), { inputs: { serviceAccount: 'Builder' } }));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input serviceAccount: 'Builder' is not a valid service account name\./);
  });
});
