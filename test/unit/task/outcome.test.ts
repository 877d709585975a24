// assessPod: the verdict on the build from the pod's status alone.
import { strict as assert } from 'node:assert';
import type { V1ContainerState, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { assessPod, hasStarted, waitingDetail } from '../../../tasks/KanikoBuildV1/src/outcome';

const CONTAINER = 'kaniko';
const DIGEST = `sha256:${'9f86d081884c7d65'.repeat(4)}`;

interface PodStatusParts {
  phase?: string;
  reason?: string;
  message?: string;
  state?: V1ContainerState;
  conditions?: V1PodCondition[];
}

const EXECUTOR_IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.3';

function pod(parts: PodStatusParts): V1Pod {
  return {
    metadata: { name: 'kaniko-1234-abcd1234', namespace: 'builds' },
    spec: {
      activeDeadlineSeconds: 1800,
      containers: [{ name: CONTAINER, image: EXECUTOR_IMAGE, resources: { limits: { cpu: '1', memory: '1Gi' } } }],
    },
    status: {
      phase: parts.phase ?? 'Pending',
      reason: parts.reason,
      message: parts.message,
      conditions: parts.conditions,
      containerStatuses: parts.state
        ? [{ name: CONTAINER, image: 'kaniko', imageID: '', ready: false, restartCount: 0, state: parts.state }]
        : undefined,
    },
  };
}

function failureMessage(verdict: ReturnType<typeof assessPod>): string {
  assert.equal(verdict.kind, 'failed', JSON.stringify(verdict));
  return verdict.kind === 'failed' ? verdict.message : '';
}

describe('outcome: assessPod', () => {
  const succeeded = [
    { name: 'digest', message: DIGEST },
    { name: 'digest with newline', message: `${DIGEST}\n` },
  ];
  for (const { name, message } of succeeded) {
    it(`succeeded with ${name}`, () => {
      const verdict = assessPod(pod({ phase: 'Succeeded', state: { terminated: { exitCode: 0, reason: 'Completed', message } } }), CONTAINER);

      assert.deepEqual(verdict, { kind: 'succeeded', digest: DIGEST });
    });
  }

  const noDigest = [
    { name: 'no message', message: undefined },
    { name: 'empty message', message: '' },
    { name: 'short digest', message: 'sha256:abc' },
    { name: 'upper-case digest', message: DIGEST.toUpperCase() },
    { name: 'other text', message: `pushed ${DIGEST}` },
  ];
  for (const { name, message } of noDigest) {
    it(`exit 0 without digest fails: ${name}`, () => {
      const text = failureMessage(assessPod(pod({ phase: 'Succeeded', state: { terminated: { exitCode: 0, message } } }), CONTAINER));

      assert.match(text, /builds\/kaniko-1234-abcd1234 ended without an image digest from container kaniko/);
    });
  }

  it('phase Succeeded without container status fails', () => {
    const text = failureMessage(assessPod(pod({ phase: 'Succeeded' }), CONTAINER));

    assert.match(text, /ended without an image digest/);
  });

  const nonZero = [
    { exitCode: 3, reason: 'Error', hint: /A RUN step of the Dockerfile exited with code 3/ },
    { exitCode: 1, reason: 'Error', hint: /kaniko reported an error/ },
    { exitCode: 137, reason: 'OOMKilled', hint: /kaniko ran out of memory at the memory limit 1Gi: raise the input memoryLimit/ },
    { exitCode: 2, reason: undefined, hint: /exited with code 2/ },
  ];
  for (const { exitCode, reason, hint } of nonZero) {
    it(`exit ${exitCode} ${reason ?? 'without reason'} fails`, () => {
      const state = { terminated: { exitCode, reason, message: DIGEST } };
      const verdict = assessPod(pod({ phase: 'Failed', state }), CONTAINER);
      const text = failureMessage(verdict);

      assert.equal(verdict.kind === 'failed' ? verdict.exitCode : undefined, exitCode);
      assert.ok(text.includes('builds/kaniko-1234-abcd1234'), text);
      assert.ok(text.includes('container kaniko'), text);
      assert.ok(text.includes(`exit code ${exitCode}`), text);
      assert.ok(text.includes(`(reason ${reason ?? 'Error'})`), text);
      assert.match(text, hint);
    });
  }

  it('phase Failed with DeadlineExceeded names the timeout input', () => {
    const message = 'Pod was active on the node longer than the specified deadline';
    const text = failureMessage(assessPod(pod({ phase: 'Failed', reason: 'DeadlineExceeded', message }), CONTAINER));

    assert.ok(text.includes('stopped pod builds/kaniko-1234-abcd1234 at the build timeout of 30 minute(s)'), text);
    assert.ok(text.includes('input buildTimeoutInMinutes'), text);
  });

  it('phase Failed with Evicted shows the kubelet message', () => {
    const message = 'The node was low on resource: ephemeral-storage.';
    const text = failureMessage(assessPod(pod({ phase: 'Failed', reason: 'Evicted', message }), CONTAINER));

    assert.ok(text.includes('the kubelet evicted pod builds/kaniko-1234-abcd1234'), text);
    assert.ok(text.includes(message), text);
  });

  it('deadline kill wins over the exit code', () => {
    const state = { terminated: { exitCode: 137, reason: 'Error' } };
    const text = failureMessage(assessPod(pod({ phase: 'Failed', reason: 'DeadlineExceeded', state }), CONTAINER));

    assert.ok(text.includes('build timeout'), text);
    assert.ok(!text.includes('exit code 137'), text);
  });

  it('phase Failed without reason fails', () => {
    const text = failureMessage(assessPod(pod({ phase: 'Failed' }), CONTAINER));

    assert.ok(text.includes('reason Failed'), text);
  });

  const fatalWaiting = [
    { reason: 'ImagePullBackOff', expected: [`container kaniko cannot pull its image ${EXECUTOR_IMAGE} (ImagePullBackOff)`, 'input executorImage'] },
    { reason: 'InvalidImageName', expected: [`cannot parse the image name ${EXECUTOR_IMAGE} (InvalidImageName)`, 'input executorImage'] },
    { reason: 'ErrImageNeverPull', expected: ['container kaniko: ErrImageNeverPull', 'details of ErrImageNeverPull'] },
    { reason: 'CreateContainerConfigError', expected: ['container kaniko cannot be created (CreateContainerConfigError): details of CreateContainerConfigError'] },
    { reason: 'CreateContainerError', expected: ['container kaniko: CreateContainerError', 'details of CreateContainerError'] },
  ];
  for (const { reason, expected } of fatalWaiting) {
    it(`waiting ${reason} fails`, () => {
      const state = { waiting: { reason, message: `details of ${reason}` } };
      const text = failureMessage(assessPod(pod({ state }), CONTAINER));

      assert.ok(text.includes('builds/kaniko-1234-abcd1234'), text);
      for (const part of expected) assert.ok(text.includes(part), `${part} is missing from: ${text}`);
    });
  }

  const stillWaiting = [
    { reason: 'ContainerCreating', message: undefined, detail: 'ContainerCreating' },
    { reason: 'ErrImagePull', message: 'rpc error: not found', detail: 'ErrImagePull: rpc error: not found' },
    { reason: 'PodInitializing', message: undefined, detail: 'PodInitializing' },
  ];
  for (const { reason, message, detail } of stillWaiting) {
    it(`waiting ${reason} keeps waiting`, () => {
      assert.deepEqual(assessPod(pod({ state: { waiting: { reason, message } } }), CONTAINER), { kind: 'waiting', detail });
    });
  }

  it('unschedulable pod waits with scheduler detail', () => {
    const conditions = [{
      type: 'PodScheduled', status: 'False', reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient memory.',
    }];
    const verdict = assessPod(pod({ conditions }), CONTAINER);

    assert.deepEqual(verdict, { kind: 'waiting', detail: 'Unschedulable: 0/3 nodes are available: 3 Insufficient memory' });
  });

  it('scheduled pod ignores PodScheduled True', () => {
    const conditions = [{ type: 'PodScheduled', status: 'True' }];
    const verdict = assessPod(pod({ conditions, state: { waiting: { reason: 'ContainerCreating' } } }), CONTAINER);

    assert.deepEqual(verdict, { kind: 'waiting', detail: 'ContainerCreating' });
  });

  it('pod without status waits as Pending', () => {
    assert.deepEqual(assessPod({ metadata: { name: 'x' } }, CONTAINER), { kind: 'waiting', detail: 'Pending' });
  });

  it('running container is running', () => {
    assert.deepEqual(assessPod(pod({ phase: 'Running', state: { running: { startedAt: new Date() } } }), CONTAINER), { kind: 'running' });
  });

  it('other container status is ignored', () => {
    const other = pod({ phase: 'Running' });
    other.status!.containerStatuses = [{
      name: 'sidecar', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1 } },
    }];

    assert.deepEqual(assessPod(other, CONTAINER), { kind: 'waiting', detail: 'Running' });
  });
});

describe('outcome: hasStarted and waitingDetail', () => {
  const states: { name: string; state?: V1ContainerState; started: boolean }[] = [
    { name: 'no status', state: undefined, started: false },
    { name: 'waiting', state: { waiting: { reason: 'ContainerCreating' } }, started: false },
    { name: 'running', state: { running: {} }, started: true },
    { name: 'terminated', state: { terminated: { exitCode: 0 } }, started: true },
  ];
  for (const { name, state, started } of states) {
    it(`hasStarted ${name} is ${started}`, () => {
      assert.equal(hasStarted(pod({ state }), CONTAINER), started);
    });
  }

  it('waitingDetail without message', () => {
    const conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }];

    assert.match(waitingDetail(pod({ conditions })), /^Unschedulable\b/);
  });
});

describe('outcome: init containers', () => {
  function podWithInit(initState: V1ContainerState, phase = 'Pending'): V1Pod {
    const withMain = pod({ phase, state: { waiting: { reason: 'PodInitializing' } } });
    withMain.status!.initContainerStatuses = [
      { name: 'download-context', image: 'curlimages/curl:8.20.0', imageID: '', ready: false, restartCount: 0, state: initState },
    ];
    return withMain;
  }

  it('running download keeps waiting', () => {
    assert.equal(assessPod(podWithInit({ running: { startedAt: new Date() } }), CONTAINER).kind, 'waiting');
  });

  it('finished download does not decide', () => {
    const verdict = assessPod(podWithInit({ terminated: { exitCode: 0, reason: 'Completed' } }), CONTAINER);

    assert.equal(verdict.kind, 'waiting');
  });

  it('HTTP error fails with curl output and hint', () => {
    const state = { terminated: { exitCode: 22, reason: 'Error', message: 'curl: (22) The requested URL returned error: 403\n' } };
    const message = failureMessage(assessPod(podWithInit(state, 'Failed'), CONTAINER));

    assert.match(message, /^The build context was not delivered: pod builds\/kaniko-1234-abcd1234, init container download-context exited with code 22 \(reason Error\)/);
    assert.match(message, /curl: \(22\) The requested URL returned error: 403/);
    assert.match(message, /403 when it rejected the SAS/);
  });

  it('unreachable storage gets the network hint', () => {
    const state = { terminated: { exitCode: 6, reason: 'Error', message: 'curl: (6) Could not resolve host: kanikostorage.blob.core.windows.net' } };

    assert.match(failureMessage(assessPod(podWithInit(state, 'Failed'), CONTAINER)), /could not resolve or reach the storage account/);
  });

  it('curl without --variable gets the version hint', () => {
    const state = { terminated: { exitCode: 2, reason: 'Error', message: 'curl: option --variable: is unknown\ncurl: try \'curl --help\' for more information' } };

    assert.match(failureMessage(assessPod(podWithInit(state, 'Failed'), CONTAINER)), /needs curl 8\.3\.0 or later: set the input downloadImage/);
  });

  it('image that cannot be pulled fails at once', () => {
    const state = { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "mirror.example.test/curl:8.20.0"' } };
    const message = failureMessage(assessPod(podWithInit(state), CONTAINER));

    assert.match(message, /download-context/);
    assert.match(message, /ImagePullBackOff/);
  });
});
