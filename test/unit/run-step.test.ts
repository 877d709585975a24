// The run-step command's preparation: the pipeline file's steps, variables and connections,
// turned into the runner's options without running anything.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRegistryLogin } from '../../tools/run-step/docker-config';
import { StepInputError } from '../../tools/run-step/errors';
import { readPipelineSteps, selectStep } from '../../tools/run-step/pipeline';
import { prepareStep, type PreparedStep, type StepRequest } from '../../tools/run-step/prepare';
import type { EndpointSpec } from '../../tools/runner/types';

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: dev-cluster
    cluster: { server: 'https://127.0.0.1:6443' }
  - name: prod-cluster
    cluster: { server: 'https://127.0.0.1:7443' }
contexts:
  - name: dev
    context: { cluster: dev-cluster, user: dev }
  - name: prod
    context: { cluster: prod-cluster, user: dev }
users:
  - name: dev
    user: { token: kube-token-123456 }
`;

/** Returns the endpoint that the prepared connection input names. */
function endpointOf(prepared: PreparedStep, input: string): EndpointSpec | undefined {
  const id = String(prepared.options.inputs?.[input] ?? '');
  return prepared.options.endpoints?.[id];
}

describe('run-step preparation', () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'run-step-unit-'));
    fs.writeFileSync(path.join(folder, 'kubeconfig'), KUBECONFIG);
    const auth = Buffer.from('builder:registry-secret-1').toString('base64');
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ auths: { 'myregistry.azurecr.io': { auth } } }));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  function writePipeline(text: string): string {
    const file = path.join(folder, 'pipeline.yml');
    fs.writeFileSync(file, text);
    return file;
  }

  function request(pipelineFile: string, changes: Partial<StepRequest> = {}): StepRequest {
    return {
      pipelineFile,
      flags: { kubeconfig: path.join(folder, 'kubeconfig'), dockerConfig: path.join(folder, 'config.json') },
      variables: {},
      inputs: {},
      secretNames: [],
      sourcesDirectory: folder,
      environment: { STORAGE_KEY: 'storage-secret-1' },
      now: new Date('2026-05-01T12:30:00Z'),
      ...changes,
    };
  }

  const SIMPLE = `
variables:
  repo: myregistry.azurecr.io/team/web
  fullTag: $(Build.BuildId)-$(suffix)
  suffix: web
steps:
  - task: KanikoBuild@1
    name: build
    displayName: Build $(repo)
    inputs:
      kubernetesConnection: dev-cluster
      containerRegistry: acr
      repository: $(repo)
      tags: $(fullTag)
      storageAccount: contexts
      storageAccessKey: $(STORAGE_KEY)
`;

  describe('pipeline steps', () => {
    it('finds steps in stages, jobs and deployments', () => {
      const file = writePipeline(`
variables: [{ name: a, value: root }, { group: shared }]
stages:
  - stage: Build
    variables: { a: stage, b: stage }
    jobs:
      - job: One
        variables: { A: job }
        steps:
          - script: echo hi
          - task: KanikoBuild@1
            inputs: { repository: one, tags: 1 }
      - deployment: Two
        strategy:
          runOnce:
            deploy:
              steps:
                - task: publisher.kaniko-build-on-aks.KanikoBuild@1
                  name: two
                  env: { EXTRA: x }
                - task: KanikoBuild@2
`);
      const steps = readPipelineSteps(file);
      assert.deepEqual(steps.map((step) => [step.position, step.name, step.location]), [
        [1, undefined, 'stage Build, job One'],
        [2, 'two', 'stage Build, deployment Two'],
      ]);
      assert.deepEqual(steps[0].variables, { b: 'stage', A: 'job' });
      assert.deepEqual(steps[0].inputs, { repository: 'one', tags: '1' });
      assert.deepEqual(steps[0].variableSources, ['variable group shared']);
      assert.deepEqual(steps[1].env, { EXTRA: 'x' });
    });

    it('selects by name, display name and number', () => {
      const file = writePipeline(`steps:
  - task: KanikoBuild@1
    name: web
    displayName: Build web
  - task: KanikoBuild@1
    name: api
    displayName: Build API
`);
      const steps = readPipelineSteps(file);
      assert.equal(selectStep(steps, 'API', file).name, 'api');
      assert.equal(selectStep(steps, 'build web', file).name, 'web');
      assert.equal(selectStep(steps, '2', file).name, 'api');
      assert.throws(() => selectStep(steps, undefined, file), /has 2 KanikoBuild@1 steps/);
      assert.throws(() => selectStep(steps, '0', file), /numbered from 1/);
    });

    it('reports a file without steps', () => {
      const file = writePipeline('steps:\n  - script: echo hi\n');
      assert.throws(() => selectStep(readPipelineSteps(file), undefined, file), /has no KanikoBuild@1 step/);
    });

    it('reports invalid YAML', () => {
      const file = writePipeline('steps: [\n');
      assert.throws(() => readPipelineSteps(file), (error: Error) => error instanceof StepInputError && /is not valid YAML/.test(error.message));
    });
  });

  describe('variables', () => {
    it('expands nested variables and keeps secrets apart', () => {
      const prepared = prepareStep(request(writePipeline(SIMPLE)));
      assert.equal(prepared.options.variables?.fullTag, 'local-20260501-123000-web');
      assert.equal(prepared.options.variables?.['Build.BuildId'], 'local-20260501-123000');
      assert.deepEqual(prepared.options.secretVariables, { STORAGE_KEY: 'storage-secret-1' });
      assert.equal(prepared.options.inputs?.storageAccessKey, '$(STORAGE_KEY)', 'the runner expands macros as the agent does');
      assert.equal(prepared.options.displayName, 'Build myregistry.azurecr.io/team/web');
      assert.equal(prepared.options.stepName, 'build');
    });

    it('lets --variable replace the file and the local build id', () => {
      const prepared = prepareStep(request(writePipeline(SIMPLE), { variables: { suffix: 'api', 'build.buildid': '77' } }));
      assert.equal(prepared.options.variables?.fullTag, '77-api');
    });

    it('reads a missing variable from the environment', () => {
      const text = SIMPLE.replace('  suffix: web\n', '');
      const prepared = prepareStep(request(writePipeline(text), { environment: { STORAGE_KEY: 'k', SUFFIX: 'env' } }));
      assert.equal(prepared.options.variables?.fullTag, 'local-20260501-123000-env');
    });

    it('names every variable without a value', () => {
      const text = SIMPLE.replace('  suffix: web\n', '');
      assert.throws(() => prepareStep(request(writePipeline(text), { environment: {} })), (error: Error) => {
        assert.match(error.message, /2 pipeline variable\(s\) that have no value/);
        assert.match(error.message, /STORAGE_KEY \(secret\): set the environment variable STORAGE_KEY/);
        assert.match(error.message, /suffix: pass --variable suffix=VALUE, or set the environment variable SUFFIX/);
        return true;
      });
    });

    it('rejects a secret in --variable', () => {
      assert.throws(() => prepareStep(request(writePipeline(SIMPLE), { variables: { storage_key: 'x' } })), /Secret variable\(s\) STORAGE_KEY must not be given with --variable/);
    });

    it('rejects a secret in --input', () => {
      assert.throws(() => prepareStep(request(writePipeline(SIMPLE), { inputs: { storageAccessKey: 'abc' } })), /--input storageAccessKey must not contain the secret itself/);
      const prepared = prepareStep(request(writePipeline(SIMPLE), { inputs: { storageAccessKey: '$(OTHER_KEY)' }, environment: { OTHER_KEY: 'o' } }));
      assert.deepEqual(prepared.options.secretVariables, { OTHER_KEY: 'o' });
    });

    it('rejects a secret build argument value in --input', () => {
      assert.throws(() => prepareStep(request(writePipeline(SIMPLE), { inputs: { secretBuildArguments: 'NPM_TOKEN=abc' } })),
        /--input secretBuildArguments must not contain the secret itself.*--input 'secretBuildArguments=NPM_TOKEN=\$\(NPM_TOKEN\)'/);
      const prepared = prepareStep(request(writePipeline(SIMPLE), {
        inputs: { secretBuildArguments: 'NPM_TOKEN=$(NPM_TOKEN)\nGH_TOKEN' }, environment: { STORAGE_KEY: 'k', NPM_TOKEN: 'n', GH_TOKEN: 'g' },
      }));
      assert.deepEqual(prepared.options.secretVariables, { STORAGE_KEY: 'k', NPM_TOKEN: 'n', GH_TOKEN: 'g' });
    });

    it('takes NAME lines of secretBuildArguments from the environment', () => {
      const prepared = prepareStep(request(writePipeline(SIMPLE), { inputs: { secretBuildArguments: 'NPM_TOKEN' }, environment: { STORAGE_KEY: 'k', NPM_TOKEN: 'n' } }));
      assert.equal(prepared.options.secretVariables?.NPM_TOKEN, 'n');
      assert.throws(() => prepareStep(request(writePipeline(SIMPLE), { inputs: { secretBuildArguments: 'NPM_TOKEN' }, variables: { NPM_TOKEN: 'n' } })),
        /Secret variable\(s\) NPM_TOKEN must not be given with --variable/);
      assert.throws(() => prepareStep(request(writePipeline(SIMPLE), { inputs: { secretBuildArguments: 'NPM_TOKEN' }, environment: { STORAGE_KEY: 'k' } })), /NPM_TOKEN/);
    });

    it('masks --secret variables', () => {
      const text = SIMPLE.replace('repository: $(repo)', 'repository: $(repo)\n      target: $(STAGE_NAME)');
      assert.throws(() => prepareStep(request(writePipeline(text), { secretNames: ['STAGE_NAME'], variables: { STAGE_NAME: 'x' } })), /must not be given with --variable/);
      const prepared = prepareStep(request(writePipeline(text), { secretNames: ['STAGE_NAME'], environment: { STORAGE_KEY: 'k', STAGE_NAME: 'final' } }));
      assert.equal(prepared.options.secretVariables?.STAGE_NAME, 'final');
    });

    it('rejects template expressions', () => {
      const text = SIMPLE.replace('tags: $(fullTag)', 'tags: ${{ parameters.tag }}');
      assert.throws(() => prepareStep(request(writePipeline(text))), /Input tags uses a template or runtime expression/);
    });
  });

  describe('connections', () => {
    it('maps the cluster and the push registry', () => {
      const prepared = prepareStep(request(writePipeline(SIMPLE), { flags: { kubeconfig: path.join(folder, 'kubeconfig'), kubeContext: 'prod', dockerConfig: path.join(folder, 'config.json') } }));
      const cluster = endpointOf(prepared, 'kubernetesServiceConnection');
      assert.equal(cluster?.url, 'https://127.0.0.1:7443');
      assert.deepEqual(cluster?.data, { authorizationType: 'Kubeconfig', clusterContext: 'prod' });
      assert.equal(cluster?.parameters?.kubeconfig, KUBECONFIG);
      assert.equal(prepared.options.inputs?.kubernetesConnection, undefined, 'the alias is replaced by the input name');
      const registry = endpointOf(prepared, 'containerRegistry');
      assert.deepEqual(registry?.parameters, { registry: 'https://myregistry.azurecr.io', username: 'builder', password: 'registry-secret-1' });
    });

    it('reads a connections file', () => {
      const connections = path.join(folder, 'connections.yml');
      fs.writeFileSync(connections, 'dev-cluster:\n  kubeconfig: kubeconfig\nacr:\n  registry: myregistry.azurecr.io\n  username: pusher\n  passwordVariable: ACR_PASSWORD\n');
      const prepared = prepareStep(request(writePipeline(SIMPLE), { flags: {}, connectionsFile: connections, environment: { STORAGE_KEY: 'k', ACR_PASSWORD: 'acr-secret-2' } }));
      assert.equal(endpointOf(prepared, 'kubernetesServiceConnection')?.data?.clusterContext, 'dev');
      assert.deepEqual(endpointOf(prepared, 'containerRegistry')?.parameters, { registry: 'https://myregistry.azurecr.io', username: 'pusher', password: 'acr-secret-2' });
    });

    it('names an unmapped connection', () => {
      assert.throws(() => prepareStep(request(writePipeline(SIMPLE), { flags: { kubeconfig: path.join(folder, 'kubeconfig') } })),
        /Input containerRegistry names the service connection acr, but no connections file was given\. To fix this, add "acr:" with dockerConfig: PATH .* or pass --docker-config PATH\./);
    });

    it('rejects Azure Resource Manager connections', () => {
      const text = SIMPLE.replace('storageAccessKey: $(STORAGE_KEY)', 'storageConnection: storage-arm');
      assert.throws(() => prepareStep(request(writePipeline(text))), /Input storageConnection names the Azure Resource Manager connection storage-arm, which this command cannot reproduce/);
    });

    it('rejects an unknown kubeconfig context', () => {
      assert.throws(() => prepareStep(request(writePipeline(SIMPLE), { flags: { kubeconfig: path.join(folder, 'kubeconfig'), kubeContext: 'qa', dockerConfig: path.join(folder, 'config.json') } })),
        /the kubeconfig .* has no context qa\. Its contexts: dev, prod\./);
    });

    it('rejects unknown settings in the connections file', () => {
      const connections = path.join(folder, 'connections.yml');
      fs.writeFileSync(connections, 'dev-cluster:\n  kubeConfig: kubeconfig\n');
      assert.throws(() => prepareStep(request(writePipeline(SIMPLE), { connectionsFile: connections })), /the entry dev-cluster has unknown setting\(s\) kubeConfig/);
    });
  });

  describe('Docker config', () => {
    function config(content: unknown): string {
      const file = path.join(folder, 'docker.json');
      fs.writeFileSync(file, JSON.stringify(content));
      return file;
    }

    it('reads Docker Hub and identity tokens', () => {
      const auth = Buffer.from('me:pa:ss').toString('base64');
      assert.deepEqual(readRegistryLogin(config({ auths: { 'https://index.docker.io/v1/': { auth } } }), 'docker.io', 'hub'),
        { host: 'docker.io', username: 'me', password: 'pa:ss' });
      assert.deepEqual(readRegistryLogin(config({ auths: { 'reg.azurecr.io': { identitytoken: 'refresh' } } }), undefined, 'acr'),
        { host: 'reg.azurecr.io', username: '00000000-0000-0000-0000-000000000000', password: 'refresh' });
    });

    it('names a credential helper', () => {
      assert.throws(() => readRegistryLogin(config({ auths: { 'reg.example.test': {} }, credsStore: 'desktop' }), 'reg.example.test', 'reg'),
        /keeps the credentials for reg\.example\.test in the credential helper docker-credential-desktop/);
      assert.throws(() => readRegistryLogin(config({ credHelpers: { 'reg.example.test': 'ecr-login' } }), 'https://reg.example.test', 'reg'),
        /docker-credential-ecr-login/);
    });

    it('names the registries found', () => {
      assert.throws(() => readRegistryLogin(config({ auths: { 'a.example.test': { auth: 'eDp5' }, 'b.example.test': { auth: 'eDp5' } } }), undefined, 'reg'),
        /has credentials for 2 registries \(found: a\.example\.test, b\.example\.test\)/);
      assert.throws(() => readRegistryLogin(config({ auths: { 'a.example.test': { auth: 'eDp5' } } }), 'c.example.test', 'reg'),
        /has no credentials for c\.example\.test \(found: a\.example\.test\)/);
    });
  });
});
