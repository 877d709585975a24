// Pod placement through the bundled task, on a local node with a taint and a pool label. The
// node selector and tolerations reach the scheduler, and ephemeral storage reaches the container.
// The pod template is merged in, and a template with errors fails before anything is created.
import * as assert from 'node:assert/strict';
import type { LocalCluster } from '../../../tools/local-cluster/index';
import { startLocalCluster } from '../../../tools/stand-ins';
import { sharedAzurite, type StandIns } from '../stand-ins';
import { assertNoSecretInOutput, assertNothingLeft, containerExists, errors, runBuild } from './harness';

const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nRUN echo placed\n' };
const SMALL_POD = { cpuLimit: '250m', memoryLimit: '512Mi' };
const POOL_LABEL = 'kubernetes.azure.com/agentpool';
const SPOT_TAINT = { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' };

describe('KanikoBuild pod placement', function () {
  this.timeout(180_000);
  let standIns: StandIns;
  let cluster: LocalCluster;

  before(async () => {
    const azurite = await sharedAzurite();
    cluster = await startLocalCluster(azurite, {}, {
      nodeLabels: { 'kubernetes.io/os': 'linux', [POOL_LABEL]: 'builds' },
      nodeTaints: [SPOT_TAINT],
      nodeFs: { capacity: '100Gi' },
    });
    standIns = { azurite, cluster };
  });

  after(async () => {
    await cluster.stop();
  });

  it('pod with selector, tolerations, storage and template builds', async () => {
    const build = await runBuild({
      standIns,
      files: SMALL_BUILD,
      inputs: {
        ...SMALL_POD,
        nodeSelector: `${POOL_LABEL}=builds`,
        tolerations: `${SPOT_TAINT.key}=spot:NoSchedule`,
        ephemeralStorageRequest: '2Gi',
        ephemeralStorageLimit: '4Gi',
        podTemplate: [
          'metadata:',
          '  labels: { team: web }',
          '  annotations: { cluster-autoscaler.kubernetes.io/safe-to-evict: "false" }',
          'spec:',
          '  containers:',
          '    - name: kaniko',
          '      env: [{ name: GODEBUG, value: "http2client=0" }]',
        ].join('\n'),
      },
    });

    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    const pod = build.record?.pod;
    assert.ok(pod, 'the kubelet ran no pod');
    assert.deepEqual(pod.spec?.nodeSelector, { [POOL_LABEL]: 'builds' });
    // The DefaultTolerationSeconds admission plugin adds the not-ready and unreachable tolerations after it.
    assert.deepEqual(pod.spec?.tolerations?.[0], { key: SPOT_TAINT.key, operator: 'Equal', value: 'spot', effect: 'NoSchedule' });
    const kaniko = pod.spec?.containers.find((container) => container.name === 'kaniko');
    assert.equal(kaniko?.resources?.requests?.['ephemeral-storage'], '2Gi');
    assert.equal(kaniko?.resources?.limits?.['ephemeral-storage'], '4Gi');
    assert.ok(kaniko?.env?.some((variable) => variable.name === 'GODEBUG' && variable.value === 'http2client=0'), JSON.stringify(kaniko?.env));
    assert.equal(pod.metadata?.labels?.team, 'web');
    assert.equal(pod.metadata?.annotations?.['cluster-autoscaler.kubernetes.io/safe-to-evict'], 'false');
    assertNoSecretInOutput(build);
    await assertNothingLeft(build);
  });

  it('template the API server rejects fails before anything is created', async () => {
    const build = await runBuild({
      standIns,
      files: SMALL_BUILD,
      inputs: {
        ...SMALL_POD,
        tolerations: SPOT_TAINT.key,
        podTemplate: 'spec:\n  tolerations:\n    - { key: dedicated, operator: Exists, effect: NoSchedule, tolerationSeconds: soon }\n',
      },
    });
    const text = errors(build.run);

    assert.equal(build.run.result, 'Failed', text);
    assert.match(text, /The cluster rejects the build pod, with the pod template merged in, in a dry run: HTTP 400 BadRequest: .*tolerationSeconds/);
    assert.match(text, /Nothing was created\./);
    assert.equal(cluster.runs.filter((run) => run.namespace === build.namespace).length, 0, 'a pod ran');
    assert.equal(await containerExists(build), false, 'the context was uploaded');
    await assertNothingLeft(build);
  });

  for (const createNamespace of ['false', 'true']) {
    it(`misspelt template field fails before anything is created (createNamespace ${createNamespace})`, async () => {
      const build = await runBuild({
        standIns,
        files: SMALL_BUILD,
        inputs: {
          ...SMALL_POD, tolerations: SPOT_TAINT.key, createNamespace, namespace: createNamespace === 'true' ? 'placement' : undefined,
          podTemplate: 'spec:\n  priorityClass: builds\n  containers: [{ securityContxt: {} }]\n',
        },
      });
      const text = errors(build.run);

      assert.equal(build.run.result, 'Failed', text);
      assert.match(text, /Input podTemplate sets fields that the Kubernetes Pod API does not have, so they would be dropped: spec\.containers\[0\]\.securityContxt, spec\.priorityClass\./);
      assert.equal(await containerExists(build), false, 'the context was uploaded');
      const namespaces = cluster.listObjects('namespaces').map((namespace) => namespace.metadata?.name ?? '');
      assert.deepEqual(namespaces.filter((name) => name.startsWith('placement-')), [], 'a namespace was created');
      await assertNothingLeft(build);
    });
  }

  it('template rejected at create names the template', async () => {
    const build = await runBuild({
      standIns,
      files: SMALL_BUILD,
      inputs: {
        ...SMALL_POD, tolerations: SPOT_TAINT.key, createNamespace: 'true', namespace: 'placement',
        podTemplate: 'spec:\n  tolerations:\n    - { key: dedicated, operator: Exists, effect: NoSchedule, tolerationSeconds: soon }\n',
      },
    });
    const text = errors(build.run);

    assert.equal(build.run.result, 'Failed', text);
    assert.match(text, /Could not create pod placement-[0-9a-f]{8}\/kaniko-4711-[0-9a-f]{8}: HTTP 400 BadRequest: .*tolerationSeconds.*\. The pod includes the input podTemplate/);
    const namespaces = cluster.listObjects('namespaces').map((namespace) => namespace.metadata?.name ?? '');
    assert.deepEqual(namespaces.filter((name) => name.startsWith('placement-')), [], 'the namespace was left behind');
    await assertNothingLeft(build);
  });

  it('invalid placement inputs fail before anything is created', async () => {
    const build = await runBuild({
      standIns,
      files: SMALL_BUILD,
      inputs: { ...SMALL_POD, nodeSelector: 'agentpool', tolerations: 'spot:NoScheduled', podTemplate: 'spec:\n  restartPolicy: Always' },
    });
    const text = errors(build.run);

    assert.equal(build.run.result, 'Failed', text);
    assert.match(text, /Input nodeSelector, line 1: 'agentpool' is not a KEY=VALUE node label/);
    assert.match(text, /Input tolerations, line 1: 'spot:NoScheduled' is not a toleration/);
    assert.match(text, /Input podTemplate sets spec\.restartPolicy, which the task sets itself/);
    assert.equal(await containerExists(build), false, 'the context was uploaded');
    await assertNothingLeft(build);
  });
});
