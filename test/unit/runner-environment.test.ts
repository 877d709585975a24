import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEnvironment, endpointSecrets, toEnvironmentName, type EnvironmentParts } from '../../tools/runner/environment';
import { expandMacros, isGuid, resolveInputs } from '../../tools/runner/inputs';
import { readTaskDefinition, selectNodeHandler, type TaskDefinition } from '../../tools/runner/task-definition';

const K8S_ID = '0f4c2d0e-5b7a-4c4e-9d1a-2b3c4d5e6f70';
const REGISTRY_ID = 'a1b2c3d4-0000-4000-8000-000000000001';

const DEFINITION: TaskDefinition = {
  name: 'Sample',
  instanceNameFormat: 'Build $(tags)',
  inputs: [
    { name: 'kubernetesServiceConnection', aliases: ['kubernetesConnection'], type: 'connectedService:kubernetes' },
    { name: 'containerRegistry', aliases: [], type: 'connectedService:dockerregistry' },
    { name: 'tags', aliases: [], type: 'multiLine', defaultValue: '$(Build.BuildId)' },
    { name: 'dockerfile', aliases: ['Dockerfile'], type: 'filePath', defaultValue: '**/Dockerfile' },
    { name: 'buildContext', aliases: [], type: 'filePath', defaultValue: '' },
    { name: 'memoryLimit', aliases: [], type: 'string', defaultValue: ' 1Gi ' },
  ],
  handlers: { pre: {}, main: {}, post: {} },
  restrictions: { commandMode: 'any' },
};

describe('runner input resolution', () => {
  const variables = { 'Build.BuildId': '42', 'token.value': 'hidden' };

  it('applies trimmed defaults and expands macros', () => {
    const { values } = resolveInputs(DEFINITION, {}, variables, '/w/s');
    assert.equal(values.tags, '42');
    assert.equal(values.memoryLimit, '1Gi');
  });

  it('maps aliases to input names', () => {
    const { values } = resolveInputs(DEFINITION, { kubernetesConnection: K8S_ID, Dockerfile: 'app/Dockerfile' }, variables, '/w/s');
    assert.equal(values.kubernetesServiceConnection, K8S_ID);
    assert.equal(values.dockerfile, '/w/s/app/Dockerfile');
  });

  it('rejects unknown input names', () => {
    assert.throws(
      () => resolveInputs(DEFINITION, { kubernetesServiceConection: K8S_ID, tag: 'x' }, variables, '/w/s'),
      /Unknown input name\(s\) for task Sample: kubernetesServiceConection, tag\. Accepted: kubernetesServiceConnection\|kubernetesConnection/,
    );
  });

  it('rejects an input given under name and alias', () => {
    assert.throws(
      () => resolveInputs(DEFINITION, { kubernetesServiceConnection: K8S_ID, kubernetesConnection: K8S_ID }, variables, '/w/s'),
      /given twice/,
    );
  });

  it('roots file paths in the sources directory', () => {
    const { values } = resolveInputs(DEFINITION, { buildContext: '/abs/ctx/../ctx' }, variables, '/w/s');
    assert.equal(values.dockerfile, '/w/s/**/Dockerfile');
    assert.equal(values.buildContext, '/abs/ctx');
    const empty = resolveInputs(DEFINITION, {}, variables, '/w/s');
    assert.equal(empty.values.buildContext, '/w/s', 'an empty filePath input becomes the sources directory');
  });

  it('converts values to trimmed strings', () => {
    const { values } = resolveInputs(DEFINITION, { memoryLimit: 2048, tags: '  v1\nv2  ' }, variables, '/w/s');
    assert.equal(values.memoryLimit, '2048');
    assert.equal(values.tags, 'v1\nv2');
  });

  it('lists referenced endpoints in lower case', () => {
    const { values, endpointIds } = resolveInputs(
      DEFINITION,
      { kubernetesServiceConnection: K8S_ID.toUpperCase(), containerRegistry: `${REGISTRY_ID}, not-a-guid` },
      variables,
      '/w/s',
    );
    assert.equal(values.kubernetesServiceConnection, K8S_ID);
    assert.deepEqual(endpointIds, [K8S_ID, REGISTRY_ID]);
  });

  it('leaves unknown macros as written', () => {
    const lookup = new Map([['a.b', 'x']]);
    assert.equal(expandMacros('$(A.B)-$(missing)-$(a.b)', lookup), 'x-$(missing)-x');
  });

  it('accepts only non-empty GUIDs', () => {
    assert.equal(isGuid(K8S_ID), true);
    assert.equal(isGuid('00000000-0000-0000-0000-000000000000'), false);
    assert.equal(isGuid('k8s'), false);
  });
});

describe('runner environment', () => {
  const parts: EnvironmentParts = {
    home: '/run/home',
    variables: { 'system.debug': 'true', 'agent.jobstatus': 'Succeeded', 'Build Name': 'n' },
    secretVariables: { 'storage.key': 'k3y' },
    inputs: { kubernetesServiceConnection: K8S_ID, 'odd name.x': 'v' },
    endpoints: {
      [K8S_ID]: {
        url: 'https://127.0.0.1:6443',
        scheme: 'Kubeconfig',
        parameters: { kubeconfig: 'apiVersion: v1', clusterContext: 'ctx' },
        data: { authorizationType: 'Kubeconfig', acceptUntrustedCerts: 'true' },
      },
    },
    systemConnection: { url: 'http://127.0.0.1:9/c/', accessToken: 'tok' },
    taskVariables: { podName: { value: 'kaniko-1', isSecret: false } },
    extra: { NODE_EXTRA_CA_CERTS: '/ca.pem' },
  };

  it('does not copy the test process environment', () => {
    process.env.RUNNER_LEAK_CHECK = 'leaked';
    try {
      const env = buildEnvironment(parts);
      assert.equal(env.RUNNER_LEAK_CHECK, undefined);
      assert.equal(env.HOME, '/run/home');
      assert.equal(env.PATH, process.env.PATH);
      assert.equal(env.TF_BUILD, 'True');
    } finally {
      delete process.env.RUNNER_LEAK_CHECK;
    }
  });

  it('exposes variables, secrets and inputs', () => {
    const env = buildEnvironment(parts);
    assert.equal(env.SYSTEM_DEBUG, 'true');
    assert.equal(env.BUILD_NAME, 'n');
    assert.equal(env['agent.jobstatus'], 'Succeeded');
    assert.equal(env.SECRET_STORAGE_KEY, 'k3y');
    assert.equal(env.STORAGE_KEY, undefined);
    assert.deepEqual(JSON.parse(env.VSTS_SECRET_VARIABLES), ['storage.key']);
    assert.deepEqual(JSON.parse(env.VSTS_PUBLIC_VARIABLES), ['system.debug', 'agent.jobstatus', 'Build Name']);
    assert.equal(env.INPUT_KUBERNETESSERVICECONNECTION, K8S_ID);
    assert.equal(env.INPUT_ODD_NAME_X, 'v');
    assert.equal(env.VSTS_TASKVARIABLE_PODNAME, 'kaniko-1');
    assert.equal(env.NODE_EXTRA_CA_CERTS, '/ca.pem');
  });

  it('exposes endpoints like the agent', () => {
    const env = buildEnvironment(parts);
    assert.equal(env[`ENDPOINT_URL_${K8S_ID}`], 'https://127.0.0.1:6443');
    assert.deepEqual(JSON.parse(env[`ENDPOINT_AUTH_${K8S_ID}`]), {
      parameters: { kubeconfig: 'apiVersion: v1', clusterContext: 'ctx' },
      scheme: 'Kubeconfig',
    });
    assert.equal(env[`ENDPOINT_AUTH_SCHEME_${K8S_ID}`], 'Kubeconfig');
    assert.equal(env[`ENDPOINT_AUTH_PARAMETER_${K8S_ID}_KUBECONFIG`], 'apiVersion: v1');
    assert.equal(env[`ENDPOINT_AUTH_PARAMETER_${K8S_ID}_CLUSTERCONTEXT`], 'ctx');
    assert.equal(env[`ENDPOINT_DATA_${K8S_ID}_ACCEPTUNTRUSTEDCERTS`], 'true');
    assert.deepEqual(JSON.parse(env[`ENDPOINT_DATA_${K8S_ID}`]), { authorizationType: 'Kubeconfig', acceptUntrustedCerts: 'true' });
    assert.equal(env.ENDPOINT_URL_SYSTEMVSSCONNECTION, 'http://127.0.0.1:9/c/');
    assert.equal(env.ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN, 'tok');
  });

  it('masks endpoint secrets but not plain parameters', () => {
    const secrets = endpointSecrets({
      url: 'https://r.invalid',
      scheme: 'ServicePrincipal',
      parameters: { serviceprincipalid: 'id-1', serviceprincipalkey: 'key-1', tenantId: 't-1', scope: 's', empty: '' },
    });
    assert.deepEqual(secrets, ['id-1', 'key-1']);
  });

  it('formats names like the agent', () => {
    assert.equal(toEnvironmentName('Agent.Temp Directory'), 'AGENT_TEMP_DIRECTORY');
  });
});

describe('runner task definition', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-definition-'));
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.js'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeTask(json: object): TaskDefinition {
    writeFileSync(join(dir, 'task.json'), JSON.stringify(json));
    return readTaskDefinition(dir);
  }

  it('picks Node24 on Node 24 and Node20_1 on Node 20', () => {
    const definition = writeTask({
      name: 'T',
      execution: { Node20_1: { target: 'dist/index.js' }, Node24: { target: 'dist/index.js' } },
    });
    assert.equal(selectNodeHandler(definition, 'main', dir, 24).name, 'Node24');
    assert.equal(selectNodeHandler(definition, 'main', dir, 20).name, 'Node20_1');
    assert.equal(selectNodeHandler(definition, 'main', dir, 22).target, join(dir, 'dist', 'index.js'));
  });

  it('reports a missing handler or target', () => {
    const definition = writeTask({ name: 'T', execution: { Node20_1: { target: 'dist/missing.js' } } });
    assert.throws(() => selectNodeHandler(definition, 'main', dir, 20), /does not exist\. Run `npm run build` first/);
    assert.throws(() => selectNodeHandler(definition, 'post', dir, 20), /no Node handler under "postjobexecution"/);
  });

  it('reads inputs and restrictions', () => {
    const definition = writeTask({
      name: 'T',
      inputs: [{ name: 'a', aliases: ['b'], type: 'int', defaultValue: 30 }],
      restrictions: { commands: { mode: 'restricted' }, settableVariables: { allowed: ['x*'] } },
    });
    assert.deepEqual(definition.inputs, [{ name: 'a', aliases: ['b'], type: 'int', defaultValue: '30' }]);
    assert.deepEqual(definition.restrictions, { commandMode: 'restricted', settableVariables: ['x*'] });
  });

  it('reports an unreadable task.json', () => {
    writeFileSync(join(dir, 'task.json'), '{ not json');
    assert.throws(() => readTaskDefinition(dir), /Cannot read the task definition .*task\.json/);
  });
});
