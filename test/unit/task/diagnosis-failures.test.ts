// assessPod with evidence: each failure names the pod, container, reason and a fix.
import { strict as assert } from 'node:assert';
import type { CoreV1Event, V1ContainerState, V1Pod } from '@kubernetes/client-node';
import { kanikoErrorIn } from '../../../tasks/KanikoBuildV1/src/diagnosis/kaniko-log';
import { assessPod, type PodEvidence } from '../../../tasks/KanikoBuildV1/src/outcome';

const EXECUTOR = 'ghcr.io/osscontainertools/kaniko:v1.28.3';
const CURL = 'curlimages/curl:8.20.0';
const POD_NAME = 'builds/kaniko-1234-abcd1234';

type Delivery = 'sasDownload' | 'accountKey' | 'direct';

function buildPod(delivery: Delivery = 'sasDownload'): V1Pod {
  const context = { sasDownload: 'tar:///workspace/context.tar.gz', accountKey: 'https://acct.blob.core.windows.net/c/x.tar.gz', direct: 'tar://stdin' }[delivery];
  return {
    metadata: { name: 'kaniko-1234-abcd1234', namespace: 'builds' },
    spec: {
      activeDeadlineSeconds: 3600,
      ...(delivery === 'sasDownload' ? { initContainers: [{ name: 'download-context', image: CURL }] } : {}),
      containers: [{
        name: 'kaniko', image: EXECUTOR, args: [`--context=${context}`, '--dockerfile=Dockerfile'],
        resources: { limits: { cpu: '1', memory: '2Gi' } },
      }],
    },
    status: { phase: 'Pending' },
  };
}

function withKaniko(pod: V1Pod, state: V1ContainerState, phase = 'Pending'): V1Pod {
  pod.status = { ...pod.status, phase, containerStatuses: [{ name: 'kaniko', image: EXECUTOR, imageID: '', ready: false, restartCount: 0, state }] };
  return pod;
}

function withInit(pod: V1Pod, state: V1ContainerState): V1Pod {
  pod.status = { ...pod.status, initContainerStatuses: [{ name: 'download-context', image: CURL, imageID: '', ready: false, restartCount: 0, state }] };
  return pod;
}

function failed(pod: V1Pod, evidence: PodEvidence = {}): string {
  const verdict = assessPod(pod, 'kaniko', evidence);
  assert.equal(verdict.kind, 'failed', JSON.stringify(verdict));
  const message = verdict.kind === 'failed' ? verdict.message : '';
  assert.ok(!message.includes('%s'), `unfilled placeholder in: ${message}`);
  return message;
}

function event(second: number, reason: string, message: string, type = 'Warning'): CoreV1Event {
  return {
    metadata: { name: `kaniko-1234-abcd1234.${second}` },
    involvedObject: { kind: 'Pod', name: 'kaniko-1234-abcd1234' },
    type, reason, message,
    lastTimestamp: new Date(Date.UTC(2026, 7, 1, 10, 0, second)),
  };
}

function exited(exitCode: number, reason = 'Error'): V1Pod {
  return withKaniko(buildPod(), { terminated: { exitCode, reason } }, 'Failed');
}

describe('diagnosis: image pull failures', () => {
  const pullError = `Failed to pull image "${EXECUTOR}": rpc error: code = NotFound desc = failed to pull and unpack image "${EXECUTOR}": not found`;

  it('back-off names the image, the kubelet message and the input', () => {
    const pod = withKaniko(buildPod('accountKey'), { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${EXECUTOR}"` } });
    const text = failed(pod, { events: [event(1, 'Failed', pullError), event(2, 'Failed', 'Error: ImagePullBackOff')] });

    assert.ok(text.startsWith(`The build failed: pod ${POD_NAME}, container kaniko cannot pull its image ${EXECUTOR} (ImagePullBackOff).`), text);
    assert.ok(text.includes(`The kubelet reported: ${pullError}.`), text);
    assert.ok(text.includes('input executorImage'), text);
  });

  it('back-off without events uses the waiting message', () => {
    const pod = withKaniko(buildPod('accountKey'), { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${EXECUTOR}"` } });

    assert.ok(failed(pod).includes(`The kubelet reported: Back-off pulling image "${EXECUTOR}".`));
  });

  it('init container names downloadImage', () => {
    const pod = withInit(withKaniko(buildPod(), { waiting: { reason: 'PodInitializing' } }), { waiting: { reason: 'ImagePullBackOff', message: 'Back-off' } });
    const text = failed(pod);

    assert.ok(text.includes(`container download-context cannot pull its image ${CURL} (ImagePullBackOff)`), text);
    assert.ok(text.includes('input downloadImage'), text);
  });

  it('ErrImagePull alone keeps waiting', () => {
    const pod = withKaniko(buildPod('accountKey'), { waiting: { reason: 'ErrImagePull', message: 'rpc error: not found' } });

    assert.equal(assessPod(pod, 'kaniko').kind, 'waiting');
  });

  it('ErrImagePull that persisted fails with its duration', () => {
    const pod = withKaniko(buildPod('accountKey'), { waiting: { reason: 'ErrImagePull', message: 'rpc error: code = Unknown desc = 429 Too Many Requests' } });
    const text = failed(pod, { stall: { kind: 'imagePull', container: 'kaniko', seconds: 31 } });

    assert.ok(text.includes(`cannot pull its image ${EXECUTOR} (ErrImagePull for 31 s)`), text);
    assert.ok(text.includes('The kubelet reported: rpc error: code = Unknown desc = 429 Too Many Requests.'), text);
  });
});

describe('diagnosis: scheduling', () => {
  const INSUFFICIENT_CPU = '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';
  function unschedulable(message = INSUFFICIENT_CPU): V1Pod {
    const pod = buildPod('accountKey');
    pod.status = {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
    };
    return pod;
  }
  const stall = { kind: 'unschedulable' as const, minutes: 5 };

  it('names the limit, the scheduler and the inputs', () => {
    const text = failed(unschedulable(), { stall });

    assert.ok(text.startsWith(`The build failed: pod ${POD_NAME} could not be scheduled within 5 minute(s) (input schedulingTimeoutInMinutes).`), text);
    assert.ok(text.includes('The scheduler reported: 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.'), text);
    assert.ok(text.includes('Lower the inputs cpuRequest, memoryRequest and ephemeralStorageRequest'), text);
    assert.ok(text.includes('Set schedulingTimeoutInMinutes to 0 to wait until the build timeout.'), text);
  });

  const reasons: [string, string, string][] = [
    ['untolerated taint', '0/3 nodes are available: 3 node(s) had untolerated taint(s). preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      'add them to the input tolerations'],
    ['taint of older releases', "0/1 nodes are available: 1 node(s) had taint {dedicated: gpu}, that the pod didn't tolerate.", 'add them to the input tolerations'],
    ['node selector', "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      'No node has every label of the input nodeSelector'],
  ];
  for (const [name, message, hint] of reasons) {
    it(`names the inputs for ${name}`, () => {
      const text = failed(unschedulable(message), { stall });

      assert.ok(text.includes(hint), text);
      assert.ok(!text.includes('cpuRequest'), text);
    });
  }

  it('says that a scale-up was too slow', () => {
    const events = [event(1, 'TriggeredScaleUp', 'pod triggered scale-up: [{aks-build 1->2 (max: 3)}]', 'Normal')];
    const text = failed(unschedulable(), { stall, events });

    assert.ok(text.includes('The cluster autoscaler was adding a node for it (pod triggered scale-up: [{aks-build 1->2 (max: 3)}])'), text);
  });

  it('says why the autoscaler did not help', () => {
    const events = [event(1, 'NotTriggerScaleUp', "pod didn't trigger scale-up: 1 max node group size reached", 'Normal')];
    const text = failed(unschedulable(), { stall, events });

    assert.ok(text.endsWith("The cluster autoscaler will not add a node for it: pod didn't trigger scale-up: 1 max node group size reached."), text);
  });
});

describe('diagnosis: pods that Kubernetes stopped', () => {
  function stopped(reason: string, message: string): V1Pod {
    const pod = withKaniko(buildPod(), { terminated: { exitCode: 137, reason: 'Error' } }, 'Failed');
    pod.status = { ...pod.status, reason, message };
    return pod;
  }

  it('deadline names buildTimeoutInMinutes and the minutes', () => {
    const text = failed(stopped('DeadlineExceeded', 'Pod was active on the node longer than the specified deadline'));

    assert.ok(text.includes(`stopped pod ${POD_NAME} at the build timeout of 60 minute(s) (input buildTimeoutInMinutes`), text);
  });

  const storage = [
    'The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 9Gi. Container kaniko was using 20Gi, request is 0, has larger consumption of ephemeral-storage. ',
    'Container kaniko exceeded its local ephemeral storage limit "4Gi". ',
    'Pod ephemeral local storage usage exceeds the total limit of containers 4Gi. ',
    'Usage of EmptyDir volume "workspace" exceeds the limit "1Gi". ',
    'The node had condition: [DiskPressure]. ',
  ];
  for (const message of storage) {
    it(`storage eviction gets the disk hint: ${message.slice(0, 30)}`, () => {
      const text = failed(stopped('Evicted', message));

      assert.ok(text.includes(`the kubelet evicted pod ${POD_NAME}: ${message.trim()}`), text);
      assert.ok(text.includes("ran out of ephemeral storage"), text);
      assert.ok(text.includes('ephemeral-storage limit'), text);
    });
  }

  it('memory eviction gets the memory hint', () => {
    const text = failed(stopped('Evicted', 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi. '));

    assert.ok(text.includes('set memoryRequest to memoryLimit'), text);
  });

  it('other eviction shows the message alone', () => {
    const text = failed(stopped('Evicted', 'The node had condition: [PIDPressure]. '));

    assert.ok(text.endsWith('evicted pod builds/kaniko-1234-abcd1234: The node had condition: [PIDPressure].'), text);
  });
});

describe('diagnosis: kaniko exits', () => {
  it('OOMKilled names the limit, the input and the flags', () => {
    const text = failed(exited(137, 'OOMKilled'));

    assert.ok(text.includes('exit code 137 (reason OOMKilled)'), text);
    assert.ok(text.includes('memory limit 2Gi: raise the input memoryLimit'), text);
    assert.ok(text.includes('--compressed-caching=false and --snapshot-mode=redo'), text);
  });

  const kanikoErrors: { title: string; line: string; exitCode: number; delivery?: Delivery; hint: RegExp }[] = [
    { title: 'push permissions', line: 'error checking push permissions: checking push permission for "r/x:1": UNAUTHORIZED', exitCode: 1, hint: /AcrPush/ },
    {
      title: 'old push permissions',
      line: 'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: UNAUTHORIZED',
      exitCode: 1, hint: /registry did not accept kaniko's credentials/,
    },
    { title: 'context by account key', line: 'Error: error resolving source context: BlobNotFound', exitCode: 1, delivery: 'accountKey', hint: /v1\.25\.4 or later/ },
    { title: 'context downloaded', line: 'Error: error resolving source context: gzip: invalid header', exitCode: 1, delivery: 'sasDownload', hint: /init container downloaded/ },
    { title: 'context streamed', line: 'Error: error resolving source context: unexpected EOF', exitCode: 1, delivery: 'direct', hint: /cuts long connections/ },
    { title: 'build step', line: 'error building image: parsing dockerfile: unknown instruction', exitCode: 1, hint: /A Dockerfile instruction failed/ },
    { title: 'RUN step exit code', line: 'error building image: exit status 3', exitCode: 3, hint: /A RUN step of the Dockerfile exited with code 3/ },
    { title: 'push', line: 'error pushing image: DENIED: quota exceeded', exitCode: 1, hint: /storage quota/ },
  ];
  for (const { title, line, exitCode, delivery, hint } of kanikoErrors) {
    it(`${title} quotes the line and gives its hint`, () => {
      const pod = withKaniko(buildPod(delivery), { terminated: { exitCode, reason: 'Error' } }, 'Failed');
      const text = failed(pod, { kanikoError: kanikoErrorIn(line) });

      assert.ok(text.includes(`terminated with exit code ${exitCode} (reason Error)`), text);
      assert.ok(text.includes(`kaniko reported: ${line}`), text);
      assert.match(text, hint);
    });
  }

  it('exit 1 without a log line keeps the general hint', () => {
    assert.match(failed(exited(1)), /kaniko reported an error; the last log lines show which/);
  });
});

describe('diagnosis: container configuration', () => {
  it('runAsNonRoot gets the policy hint', () => {
    const pod = withKaniko(buildPod(), { waiting: { reason: 'CreateContainerConfigError', message: 'container has runAsNonRoot and image will run as root' } });
    const text = failed(pod);

    assert.ok(text.includes('cannot be created (CreateContainerConfigError): container has runAsNonRoot and image will run as root.'), text);
    assert.ok(text.includes('kaniko runs as root'), text);
  });

  it('missing Secret gets the Secret hint', () => {
    const pod = withKaniko(buildPod('accountKey'), { waiting: { reason: 'CreateContainerConfigError', message: 'secret "kaniko-1-storage" not found' } });
    const text = failed(pod);

    assert.ok(text.includes('secret "kaniko-1-storage" not found.'), text);
    assert.ok(text.includes('deletes Secrets while builds run'), text);
  });
});
