import assert from 'node:assert/strict';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { lookUpExecutorImage, doublesAzureBlobPath, type KanikoImage } from '../../../../tools/local-cluster/kubelet/executor/image-version';
import { pullImage } from '../../../../tools/local-cluster/kubelet/images';
import { parseAllocatable, podRequests, schedulePod } from '../../../../tools/local-cluster/kubelet/scheduling';
import { buildEnvironment, expandReferences, mountVolumes } from '../../../../tools/local-cluster/kubelet/volumes-env';
import { FakeClusterStore } from './helpers';

const FIELDS = { nodeName: 'local-node-1', hostIP: '10.224.0.4', podIP: '10.244.0.10' };

function pod(containers: V1Container[], spec: Partial<V1Pod['spec']> = {}): V1Pod {
  return { metadata: { namespace: 'ns', name: 'p', labels: { app: 'x' } }, spec: { containers, ...spec } };
}

function image(reference: string): KanikoImage {
  const lookup = lookUpExecutorImage(reference);
  assert.equal(lookup.kind, 'kaniko', `${reference} should be a kaniko image`);
  return (lookup as { image: KanikoImage }).image;
}

describe('scheduling', () => {
  const node = parseAllocatable({ cpu: '2', memory: '8Gi' });
  const labels = { nodeLabels: { 'kubernetes.io/os': 'linux' }, nodeTaints: [] };

  it('sums container requests and uses limits when requests are missing', () => {
    const requests = podRequests(pod([
      { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
      { name: 'b', resources: { limits: { cpu: '1', memory: '512Mi' } } },
    ]));
    assert.equal(requests.cpu, 1.5);
    assert.equal(requests.memory, 1.5 * 2 ** 30);
  });

  it('fits a pod within the allocatable resources', () => {
    assert.deepEqual(schedulePod(pod([{ name: 'a', resources: { requests: { cpu: '2', memory: '8Gi' } } }]), labels, node, {}), { fits: true });
  });

  it('lists every insufficient resource in order', () => {
    const decision = schedulePod(pod([{ name: 'a', resources: { requests: { cpu: '3', memory: '9Gi' } } }]), labels, node, {});
    assert.deepEqual(decision, {
      fits: false,
      message: '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    });
  });

  it('counts what bound pods already request', () => {
    const decision = schedulePod(pod([{ name: 'a', resources: { requests: { cpu: '1' } } }]), labels, node, { cpu: 1.5 });
    assert.equal(decision.fits, false);
  });

  it('treats an extended resource the node lacks as insufficient', () => {
    const decision = schedulePod(pod([{ name: 'a', resources: { limits: { 'nvidia.com/gpu': '1' } } }]), labels, node, {});
    assert.match((decision as { message: string }).message, /1 Insufficient nvidia\.com\/gpu/);
  });

  const taint = { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' };
  const tainted = { ...labels, nodeTaints: [taint, { key: 'slow', effect: 'PreferNoSchedule' }] };
  const tolerations: [string, object[], boolean][] = [
    ['no toleration', [], false],
    ['the exact toleration', [{ key: taint.key, operator: 'Equal', value: 'spot', effect: 'NoSchedule' }], true],
    ['an Exists toleration of the key', [{ key: taint.key, operator: 'Exists' }], true],
    ['a toleration with another value', [{ key: taint.key, operator: 'Equal', value: 'regular' }], false],
    ['a toleration with another effect', [{ key: taint.key, operator: 'Exists', effect: 'NoExecute' }], false],
    ['an empty key with Exists', [{ operator: 'Exists' }], true],
  ];
  for (const [name, podTolerations, fits] of tolerations) {
    it(`taint with ${name} ${fits ? 'fits' : 'does not fit'}`, () => {
      const decision = schedulePod(pod([{ name: 'a' }], { tolerations: podTolerations }), tainted, node, {});

      assert.equal(decision.fits, fits);
      if (!fits) assert.match((decision as { message: string }).message, /^0\/1 nodes are available: 1 node\(s\) had untolerated taint\(s\)\. preemption/);
    });
  }

  it('rejects a node selector the node labels do not match', () => {
    const decision = schedulePod(pod([{ name: 'a' }], { nodeSelector: { 'kubernetes.io/os': 'windows' } }), labels, node, {});
    assert.match((decision as { message: string }).message, /didn't match Pod's node affinity\/selector/);
  });
});

describe('executor images', () => {
  it('accepts the fork and Google images with tags and digests', () => {
    assert.deepEqual(image('ghcr.io/osscontainertools/kaniko:v1.28.3').version, [1, 28, 3]);
    assert.deepEqual(image('martizih/kaniko:v1.28.3-debug').version, [1, 28, 3]);
    assert.deepEqual(image('docker.io/martizih/kaniko:v1.24.0-5').version, [1, 24, 0]);
    assert.deepEqual(image('gcr.io/kaniko-project/executor:latest').version, [1, 24, 0]);
    assert.equal(image(`gcr.io/kaniko-project/executor@sha256:${'b'.repeat(64)}`).version, undefined);
  });

  it('knows which releases double the Azure Blob path', () => {
    assert.equal(doublesAzureBlobPath(image('gcr.io/kaniko-project/executor:v1.20.0')), true);
    assert.equal(doublesAzureBlobPath(image('gcr.io/kaniko-project/executor:v1.19.2')), false);
    assert.equal(doublesAzureBlobPath(image('ghcr.io/osscontainertools/kaniko:v1.25.3')), true);
    assert.equal(doublesAzureBlobPath(image('ghcr.io/osscontainertools/kaniko:v1.25.4')), false);
    assert.equal(doublesAzureBlobPath(image('ghcr.io/osscontainertools/kaniko:latest')), false);
  });

  it('does not find other images or unreleased tags', () => {
    assert.equal(lookUpExecutorImage('busybox').kind, 'not-found');
    assert.equal(lookUpExecutorImage('gcr.io/kaniko-project/executor:v1.25.0').kind, 'not-found');
    assert.equal(lookUpExecutorImage('ghcr.io/osscontainertools/kaniko:nightly').kind, 'not-found');
    assert.equal(lookUpExecutorImage('ghcr.io/osscontainertools/kaniko:v9.9.9').kind, 'not-found');
    assert.equal(lookUpExecutorImage('ghcr.io/osscontainertools/kaniko:v1.28.3').kind, 'kaniko');
  });

  it('reports pull failures as containerd does', () => {
    assert.deepEqual(pullImage('busybox:1.36'), {
      ok: false,
      reason: 'ErrImagePull',
      message: 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/busybox:1.36": failed to resolve reference "docker.io/library/busybox:1.36": docker.io/library/busybox:1.36: not found',
    });
    assert.equal((pullImage('Bad Image') as { reason: string }).reason, 'InvalidImageName');
  });
});

describe('container environment and volumes', () => {
  let store: FakeClusterStore;
  beforeEach(() => {
    store = new FakeClusterStore();
    store.addSecret({ metadata: { namespace: 'ns', name: 's' }, data: { key: Buffer.from('v1').toString('base64'), 'bad-name!': 'eA==' } });
  });

  it('resolves values, Secret keys, envFrom prefixes and field references', () => {
    const container: V1Container = {
      name: 'c',
      envFrom: [{ secretRef: { name: 's' }, prefix: 'S_' }],
      env: [
        { name: 'PLAIN', value: 'x-$(S_key)-$$(S_key)' },
        { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'key' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      ],
    };
    const result = buildEnvironment(pod([container]), container, store, FIELDS);
    assert.equal(result.ok, true);
    const { env, skippedKeys } = result as { env: Record<string, string>; skippedKeys: unknown };
    assert.equal(env.S_key, 'v1');
    assert.equal(env.PLAIN, 'x-v1-$(S_key)');
    assert.equal(env.FROM_SECRET, 'v1');
    assert.equal(env.POD, 'p');
    assert.equal(env.LABEL, 'x');
    assert.equal(env.IP, '10.244.0.10');
    assert.deepEqual(skippedKeys, [{ secret: 'ns/s', keys: ['bad-name!'] }]);
  });

  it('reports a missing Secret and a missing key with the kubelet\'s messages', () => {
    const missingSecret: V1Container = { name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] };
    assert.deepEqual(buildEnvironment(pod([missingSecret]), missingSecret, store, FIELDS), { ok: false, message: 'secret "nope" not found' });
    const missingKey: V1Container = { name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] };
    assert.deepEqual(buildEnvironment(pod([missingKey]), missingKey, store, FIELDS), { ok: false, message: "couldn't find key k in Secret ns/s" });
    const fromMissing: V1Container = { name: 'c', envFrom: [{ secretRef: { name: 'nope' } }] };
    assert.deepEqual(buildEnvironment(pod([fromMissing]), fromMissing, store, FIELDS), { ok: false, message: 'secret "nope" not found' });
  });

  it('skips optional references that are missing', () => {
    const container: V1Container = {
      name: 'c',
      envFrom: [{ secretRef: { name: 'nope', optional: true } }],
      env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } }],
    };
    const result = buildEnvironment(pod([container]), container, store, FIELDS);
    assert.equal(result.ok, true);
    assert.equal((result as { env: Record<string, string> }).env.A, undefined);
  });

  it('mounts Secret volumes with items and subPath', () => {
    const container: V1Container = {
      name: 'c',
      volumeMounts: [
        { name: 'all', mountPath: '/all' },
        { name: 'picked', mountPath: '/kaniko/.docker' },
        { name: 'all', mountPath: '/single/file', subPath: 'key' },
      ],
    };
    const volumes = [
      { name: 'all', secret: { secretName: 's' } },
      { name: 'picked', secret: { secretName: 's', items: [{ key: 'key', path: 'config.json' }] } },
    ];
    const result = mountVolumes(pod([container], { volumes }), container, store);
    assert.equal(result.ok, true);
    const files = (result as { files: Map<string, Buffer> }).files;
    assert.equal(files.get('/all/key')?.toString(), 'v1');
    assert.equal(files.get('/kaniko/.docker/config.json')?.toString(), 'v1');
    assert.equal(files.get('/single/file')?.toString(), 'v1');
    assert.equal(files.has('/kaniko/.docker/key'), false);
  });

  it('fails to mount a missing Secret or item key', () => {
    const container: V1Container = { name: 'c' };
    const missing = mountVolumes(pod([container], { volumes: [{ name: 'v', secret: { secretName: 'nope' } }] }), container, store);
    assert.deepEqual(missing, { ok: false, volume: 'v', message: 'MountVolume.SetUp failed for volume "v" : secret "nope" not found' });
    const badItem = mountVolumes(
      pod([container], { volumes: [{ name: 'v', secret: { secretName: 's', items: [{ key: 'other', path: 'x' }] } }] }),
      container,
      store,
    );
    assert.deepEqual(badItem, { ok: false, volume: 'v', message: 'MountVolume.SetUp failed for volume "v" : references non-existent secret key: other' });
  });

  it('mounts a projected service account token bound to the pod', () => {
    store.addServiceAccount('ns', 'builder');
    const container: V1Container = { name: 'c', volumeMounts: [{ name: 'wi', mountPath: '/var/run/secrets/azure/wi', readOnly: true }] };
    const volumes = [{
      name: 'wi',
      projected: { sources: [{ serviceAccountToken: { path: 'token/azure-identity-token', audience: 'api://AzureADTokenExchange', expirationSeconds: 3600 } }] },
    }];
    const target = pod([container], { volumes, serviceAccountName: 'builder', nodeName: 'local-node-1' });
    target.metadata!.uid = 'pod-uid-1';
    const result = mountVolumes(target, container, store);
    assert.equal(result.ok, true);
    const files = (result as { files: Map<string, Buffer> }).files;
    assert.equal(files.get('/var/run/secrets/azure/wi/token/azure-identity-token')?.toString(), 'sa-token:ns:builder:api://AzureADTokenExchange');
    assert.deepEqual(store.tokenRequests, [{
      namespace: 'ns', serviceAccountName: 'builder', audience: 'api://AzureADTokenExchange', expirationSeconds: 3600,
      podName: 'p', podUid: 'pod-uid-1', nodeName: 'local-node-1',
    }]);
  });

  it('fails to mount a token for a missing service account', () => {
    const container: V1Container = { name: 'c' };
    const volumes = [{ name: 'wi', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }];
    const result = mountVolumes(pod([container], { volumes, serviceAccountName: 'gone' }), container, store);
    assert.deepEqual(result, {
      ok: false, volume: 'wi', message: 'MountVolume.SetUp failed for volume "wi" : failed to fetch token: serviceaccounts "gone" not found',
    });
  });

  it('leaves unknown $(NAME) references as written', () => {
    assert.equal(expandReferences('$(MISSING)/x', {}), '$(MISSING)/x');
  });
});
