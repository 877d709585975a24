import assert from 'node:assert/strict';
import { parseKanikoArgs, type KanikoOptions } from '../../../../tools/local-cluster/kubelet/executor/args';
import { ContainerFiles } from '../../../../tools/local-cluster/kubelet/executor/container-files';
import type {
  WorkloadIdentityDecision, WorkloadIdentityRequest,
} from '../../../../tools/local-cluster/kubelet/executor/acr-env-helper';
import { isAcrRegistry } from '../../../../tools/local-cluster/kubelet/executor/acr-env-helper';
import { checkPushPermissions, pushCheckTargets } from '../../../../tools/local-cluster/kubelet/executor/registry-auth';
import { parseReference, parseTag } from '../../../../tools/local-cluster/kubelet/executor/reference';

function optionsFor(args: string[]): KanikoOptions {
  const parsed = parseKanikoArgs(args);
  if (parsed.kind !== 'build') throw new Error(`unexpected parse result ${parsed.kind}`);
  return parsed.options;
}

function configFiles(config: unknown, path = '/kaniko/.docker/config.json'): ContainerFiles {
  return new ContainerFiles(new Map([[path, Buffer.from(JSON.stringify(config))]]));
}

function basic(username: string, password: string): { auth: string } {
  return { auth: Buffer.from(`${username}:${password}`).toString('base64') };
}

function check(args: string[], files: ContainerFiles, env: Record<string, string> = {}, known = {}): string | undefined {
  try {
    checkPushPermissions({ options: optionsFor(args), env, files, registryCredentials: known });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('image references', () => {
  it('defaults Docker Hub, library and latest', () => {
    const reference = parseTag('python');
    assert.equal(reference.registry, 'index.docker.io');
    assert.equal(reference.repository, 'library/python');
    assert.equal(reference.tag, 'latest');
  });

  it('treats a first part with a dot, colon or localhost as the registry', () => {
    assert.equal(parseTag('myreg.azurecr.io/team/app:1').registry, 'myreg.azurecr.io');
    assert.equal(parseTag('localhost:5000/app').registry, 'localhost:5000');
    assert.equal(parseTag('team/app').registry, 'index.docker.io');
    assert.equal(parseTag('docker.io/team/app').registry, 'index.docker.io');
  });

  it('rejects upper-case repositories and empty tags', () => {
    assert.throws(() => parseTag('MyReg/App'), /repository can only contain the characters/);
    assert.throws(() => parseTag('myreg.azurecr.io/app:'), /must specify a tag name after the colon/);
  });

  it('parses digest references', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const reference = parseReference(`ghcr.io/osscontainertools/kaniko:v1.28.3@${digest}`);
    assert.equal(reference.digest, digest);
    assert.equal(reference.tag, 'v1.28.3');
  });
});

describe('push permission check', () => {
  const destination = ['--destination=myreg.azurecr.io/team/app:1'];

  it('passes with an auths entry for the registry host', () => {
    assert.equal(check(destination, configFiles({ auths: { 'myreg.azurecr.io': basic('u', 'p') } })), undefined);
  });

  it('passes with username and password fields', () => {
    const files = configFiles({ auths: { 'myreg.azurecr.io': { username: 'u', password: 'p' } } });
    assert.equal(check(destination, files), undefined);
  });

  it('passes with a URL-style key that names the host', () => {
    assert.equal(check(destination, configFiles({ auths: { 'https://myreg.azurecr.io/v1/': basic('u', 'p') } })), undefined);
  });

  it('passes with a repository-scoped key', () => {
    assert.equal(check(destination, configFiles({ auths: { 'myreg.azurecr.io/team/app': basic('u', 'p') } })), undefined);
  });

  it('fails without credentials with kaniko\'s inner message', () => {
    const message = check(destination, new ContainerFiles(new Map()));
    assert.match(message ?? '', /^checking push permission for "myreg\.azurecr\.io\/team\/app:1": POST https:\/\/myreg\.azurecr\.io\/v2\/team\/app\/blobs\/uploads\/: UNAUTHORIZED/);
  });

  it('fails when the key names another registry', () => {
    const message = check(destination, configFiles({ auths: { 'other.azurecr.io': basic('u', 'p') } }));
    assert.match(message ?? '', /UNAUTHORIZED/);
  });

  it('requires the Docker Hub key for Docker Hub destinations', () => {
    const hub = ['--destination=team/app:1'];
    assert.equal(check(hub, configFiles({ auths: { 'https://index.docker.io/v1/': basic('u', 'p') } })), undefined);
    assert.match(check(hub, configFiles({ auths: { 'docker.io': basic('u', 'p') } })) ?? '', /UNAUTHORIZED/);
  });

  it('compares credentials for registries the emulation knows', () => {
    const known = { 'myreg.azurecr.io': { username: 'u', password: 'right' } };
    assert.equal(check(destination, configFiles({ auths: { 'myreg.azurecr.io': basic('u', 'right') } }), {}, known), undefined);
    const message = check(destination, configFiles({ auths: { 'myreg.azurecr.io': basic('u', 'wrong') } }), {}, known);
    assert.match(message ?? '', /oauth2\/token.*UNAUTHORIZED/);
  });

  it('uses the ACR helper only with an Azure identity in the environment', () => {
    const files = configFiles({ credHelpers: { 'myreg.azurecr.io': 'acr-env' } });
    assert.match(check(destination, files) ?? '', /UNAUTHORIZED/);
    const env = { AZURE_CLIENT_ID: 'id', AZURE_CLIENT_SECRET: 'secret', AZURE_TENANT_ID: 'tenant' };
    assert.equal(check(destination, files, env), undefined);
  });

  it('fails on a credential helper the image does not ship', () => {
    const message = check(destination, configFiles({ credHelpers: { 'myreg.azurecr.io': 'desktop' } }));
    assert.match(message ?? '', /^resolving pushAuth: error getting credentials - err: exec: "docker-credential-desktop"/);
  });

  it('fails on an undecodable auth value', () => {
    const message = check(destination, configFiles({ auths: { 'myreg.azurecr.io': { auth: 'bm9jb2xvbg==' } } }));
    assert.equal(message, 'resolving pushAuth: invalid auth configuration file');
  });

  it('fails on a config file that is not JSON', () => {
    const files = new ContainerFiles(new Map([['/kaniko/.docker/config.json', Buffer.from('{oops')]]));
    assert.match(check(destination, files) ?? '', /^resolving pushAuth: parsing config file \(\/kaniko\/\.docker\/config\.json\)/);
  });

  it('reads the config from DOCKER_CONFIG', () => {
    const files = configFiles({ auths: { 'myreg.azurecr.io': basic('u', 'p') } }, '/etc/docker/config.json');
    assert.equal(check(destination, files, { DOCKER_CONFIG: '/etc/docker' }), undefined);
    assert.match(check(destination, files) ?? '', /UNAUTHORIZED/);
  });

  it('rejects an invalid destination reference', () => {
    assert.match(check(['--destination=MyReg.azurecr.io/App'], new ContainerFiles(new Map())) ?? '', /^getting tag for destination: /);
  });

  it('checks nothing with --no-push or --skip-push-permission-check', () => {
    assert.deepEqual(pushCheckTargets(optionsFor(['--no-push', ...destination])), []);
    assert.deepEqual(pushCheckTargets(optionsFor(['--skip-push-permission-check', ...destination])), []);
  });

  it('checks the cache repository with --no-push and --cache-repo', () => {
    const targets = pushCheckTargets(optionsFor(['--no-push', '--cache-repo=myreg.azurecr.io/cache']));
    assert.deepEqual(targets, ['myreg.azurecr.io/cache']);
  });
});

describe('ACR helper with workload identity', () => {
  const destination = ['--destination=myreg.azurecr.io/team/app:1'];
  const tokenFile = '/var/run/secrets/azure/wi/token/azure-identity-token';
  const identityEnv = {
    AZURE_CLIENT_ID: 'client-1',
    AZURE_TENANT_ID: 'tenant-1',
    AZURE_FEDERATED_TOKEN_FILE: tokenFile,
    AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
  };

  function podFiles(config: unknown = { credHelpers: { 'myreg.azurecr.io': 'acr-env' } }, token = 'projected-token'): ContainerFiles {
    return new ContainerFiles(new Map([
      ['/kaniko/.docker/config.json', Buffer.from(JSON.stringify(config))],
      [tokenFile, Buffer.from(token)],
    ]));
  }

  function account(decision: WorkloadIdentityDecision, seen: WorkloadIdentityRequest[] = []): Record<string, unknown> {
    return {
      'myreg.azurecr.io': {
        authorizeWorkloadIdentity(request: WorkloadIdentityRequest): WorkloadIdentityDecision {
          seen.push(request);
          return decision;
        },
      },
    };
  }

  it('pushes when the registry grants push', () => {
    const seen: WorkloadIdentityRequest[] = [];
    assert.equal(check(destination, podFiles(), identityEnv, account({ actions: ['pull', 'push'] }, seen)), undefined);
    assert.deepEqual(seen, [{ clientId: 'client-1', tenantId: 'tenant-1', federatedToken: 'projected-token', environment: '' }]);
  });

  it('fails with ACR\'s 401 when only pull is granted', () => {
    const message = check(destination, podFiles(), identityEnv, account({ actions: ['pull'] }));
    assert.equal(
      message,
      'checking push permission for "myreg.azurecr.io/team/app:1": POST https://myreg.azurecr.io/v2/team/app/blobs/uploads/: '
        + 'UNAUTHORIZED: authentication required, visit https://aka.ms/acr/authorization for more information.; '
        + '[map[Action:pull Class: Name:team/app Type:repository] map[Action:push Class: Name:team/app Type:repository]]',
    );
  });

  it('reports a rejected federated token as the helper prints it', () => {
    const message = check(destination, podFiles(), identityEnv, account({ failure: 'token', message: 'adal: Refresh request failed.' }));
    assert.equal(message, 'resolving pushAuth: error getting credentials - err: exit status 1, out: `failed to acquire refresh token error refreshing sp token - adal: Refresh request failed.`');
  });

  it('reports a failed token exchange as the helper prints it', () => {
    const message = check(destination, podFiles(), identityEnv, account({ failure: 'exchange', message: 'StatusCode=401' }));
    assert.match(message ?? '', /out: `failed to acquire refresh token failed to get refresh token for container registry - StatusCode=401`$/);
  });

  it('fails without AZURE_CLIENT_ID', () => {
    const env: Record<string, string> = { ...identityEnv };
    delete env.AZURE_CLIENT_ID;
    const message = check(destination, podFiles(), env, account({ actions: ['push'] }));
    assert.match(message ?? '', /out: `failed to acquire sp token failed to initialise sp token config failed to get client id from environment`$/);
  });

  it('finds no identity without the token file', () => {
    const files = new ContainerFiles(new Map([['/kaniko/.docker/config.json', Buffer.from(JSON.stringify({ credHelpers: { 'myreg.azurecr.io': 'acr-env' } }))]]));
    const seen: WorkloadIdentityRequest[] = [];
    const message = check(destination, files, identityEnv, account({ actions: ['push'] }, seen));
    assert.match(message ?? '', /UNAUTHORIZED: authentication required;/);
    assert.deepEqual(seen, []);
  });

  it('rejects an unknown AZURE_ENVIRONMENT', () => {
    const message = check(destination, podFiles(), { ...identityEnv, AZURE_ENVIRONMENT: 'MarsCloud' }, account({ actions: ['push'] }));
    assert.match(message ?? '', /There is no cloud environment matching the name "MARSCLOUD"/);
  });

  it('passes AZURE_ENVIRONMENT to the registry', () => {
    const seen: WorkloadIdentityRequest[] = [];
    check(destination, podFiles(), { ...identityEnv, AZURE_ENVIRONMENT: 'AzureChinaCloud' }, account({ actions: ['push'] }, seen));
    assert.equal(seen[0]?.environment, 'AzureChinaCloud');
  });

  it('rejects hosts that are not ACR', () => {
    const files = podFiles({ credHelpers: { 'registry.example.test': 'acr-env' } });
    const message = check(['--destination=registry.example.test/team/app:1'], files, identityEnv);
    assert.equal(message, 'resolving pushAuth: error getting credentials - err: exit status 1, out: `serverURL does not refer to Azure Container Registry`');
  });

  it('matches ACR hosts as the helper\'s unanchored pattern does', () => {
    assert.equal(isAcrRegistry('myreg.azurecr.io'), true);
    assert.equal(isAcrRegistry('myreg.azurecr.us:443'), true);
    assert.equal(isAcrRegistry('mcr.microsoft.com'), true);
    assert.equal(isAcrRegistry('myreg.azurecr.io.example.test'), true);
    assert.equal(isAcrRegistry('ghcr.io'), false);
    assert.equal(isAcrRegistry('azurecr.io'), false);
  });

  it('asks the registry through kaniko\'s own acr provider too', () => {
    const files = new ContainerFiles(new Map([[tokenFile, Buffer.from('projected-token')]]));
    assert.equal(check(destination, files, identityEnv, account({ actions: ['push'] })), undefined);
    assert.match(check(destination, files, identityEnv, account({ actions: ['pull'] })) ?? '', /aka\.ms\/acr\/authorization/);
    // A helper error in that provider means anonymous access.
    assert.match(check(destination, files, identityEnv, account({ failure: 'token', message: 'x' })) ?? '', /UNAUTHORIZED: authentication required;/);
  });
});
