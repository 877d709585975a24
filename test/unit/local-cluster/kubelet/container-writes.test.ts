import assert from 'node:assert/strict';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { ContainerWrites } from '../../../../tools/local-cluster/kubelet/container-writes';
import { CURL_IMAGE_DIRECTORIES, curlArguments } from '../../../../tools/local-cluster/kubelet/curl/image';
import { EmptyDirVolumes } from '../../../../tools/local-cluster/kubelet/empty-dir';
import { identifyImage, pullImage } from '../../../../tools/local-cluster/kubelet/images';
import { mountVolumes } from '../../../../tools/local-cluster/kubelet/volumes-env';
import { FakeClusterStore } from './helpers';

function pod(containers: V1Container[]): V1Pod {
  return {
    metadata: { namespace: 'builds', name: 'build' },
    spec: {
      containers,
      volumes: [
        { name: 'workspace', emptyDir: {} },
        { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'docker-config', secret: { secretName: 'registry' } },
      ],
    },
  };
}

const FETCH: V1Container = {
  name: 'fetch-context',
  image: 'curlimages/curl:8.16.0',
  volumeMounts: [
    { name: 'workspace', mountPath: '/workspace' },
    { name: 'cache', mountPath: '/cache', subPath: 'curl' },
    { name: 'cache', mountPath: '/cache-view', readOnly: true },
    { name: 'docker-config', mountPath: '/docker' },
  ],
};
const KANIKO: V1Container = { name: 'kaniko', image: 'ghcr.io/osscontainertools/kaniko:v1.28.3', volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }] };

describe('container writes and emptyDir volumes', () => {
  let volumes: EmptyDirVolumes;
  let writes: ContainerWrites;
  const spec = pod([FETCH, KANIKO]);

  beforeEach(() => {
    volumes = new EmptyDirVolumes(spec);
    writes = new ContainerWrites(spec, FETCH, volumes, CURL_IMAGE_DIRECTORIES);
  });

  it('shows a file written through one container to another that mounts the volume', () => {
    assert.equal(writes.writeFile('/workspace/context.tar.gz', Buffer.from('archive')), undefined);
    const store = new FakeClusterStore();
    store.addSecret({ metadata: { namespace: 'builds', name: 'registry' }, data: {} });
    const mounted = mountVolumes(spec, KANIKO, store, volumes);
    assert.equal(mounted.ok, true);
    if (!mounted.ok) return;
    assert.equal(mounted.files.get('/workspace/context.tar.gz')?.toString(), 'archive');
  });

  it('writes below a subPath into that directory of the volume', () => {
    assert.equal(writes.writeFile('/cache/a.bin', Buffer.from('x')), 'ENOENT', 'the subPath directory does not exist yet');
    volumes.writeFile('cache', 'curl/.keep', Buffer.alloc(0));
    assert.equal(writes.writeFile('/cache/a.bin', Buffer.from('x')), undefined);
    assert.equal(volumes.files('cache')?.get('curl/a.bin')?.toString(), 'x');
  });

  it('rejects read-only mounts and secret volumes', () => {
    assert.equal(writes.writeFile('/cache-view/a.bin', Buffer.from('x')), 'EROFS');
    assert.equal(writes.writeFile('/docker/config.json', Buffer.from('{}')), 'EROFS');
  });

  it('rejects a missing directory, a directory and a root-owned directory', () => {
    assert.equal(writes.writeFile('/workspace/sub/context.tar.gz', Buffer.from('x')), 'ENOENT');
    assert.equal(writes.writeFile('/workspace', Buffer.from('x')), 'EISDIR');
    assert.equal(writes.writeFile('/context.tar.gz', Buffer.from('x')), 'EACCES');
    assert.equal(writes.writeFile('/nowhere/context.tar.gz', Buffer.from('x')), 'ENOENT');
  });

  it('keeps container layer files apart', () => {
    assert.equal(writes.writeFile('/tmp/context.tar.gz', Buffer.from('x')), undefined);
    assert.equal(writes.writeFile('/dev/termination-log', Buffer.from('done')), undefined);
    assert.equal(writes.writeFile('/dev/null', Buffer.from('gone')), undefined);
    assert.deepEqual([...writes.writtenFiles.keys()].sort(), ['/dev/termination-log', '/tmp/context.tar.gz']);
    assert.equal(volumes.files('workspace')?.size, 0);
  });

  it('starts every pod with empty volumes', () => {
    writes.writeFile('/workspace/context.tar.gz', Buffer.from('archive'));
    assert.equal(new EmptyDirVolumes(spec).files('workspace')?.size, 0);
    assert.equal(volumes.files('docker-config'), undefined, 'a secret volume is no emptyDir');
  });
});

describe('curl images', () => {
  it('pulls curl releases and rejects unknown tags', () => {
    assert.deepEqual(identifyImage('curlimages/curl:8.16.0'), { kind: 'curl', version: [8, 16, 0] });
    assert.deepEqual(identifyImage('docker.io/curlimages/curl:latest'), { kind: 'curl', version: undefined });
    assert.deepEqual(identifyImage('quay.io/curl/curl:8.21.0'), { kind: 'curl', version: [8, 21, 0] });
    assert.equal(pullImage('curlimages/curl:8.16.0').ok, true);
    const missing = pullImage('curlimages/curl:8.99.0');
    assert.equal(missing.ok, false);
    if (missing.ok) return;
    assert.equal(missing.reason, 'ErrImagePull');
    assert.equal(
      missing.message,
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/curlimages/curl:8.99.0": ' +
        'failed to resolve reference "docker.io/curlimages/curl:8.99.0": docker.io/curlimages/curl:8.99.0: not found',
    );
    assert.equal(identifyImage('alpine:3.20'), undefined);
  });

  it('runs curl from the command or through the entrypoint', () => {
    assert.deepEqual(curlArguments(['curl'], ['-sS', 'http://127.0.0.1/']), ['-sS', 'http://127.0.0.1/']);
    assert.deepEqual(curlArguments(['/usr/bin/curl', '-f'], ['http://127.0.0.1/']), ['-f', 'http://127.0.0.1/']);
    assert.deepEqual(curlArguments([], ['-sS', 'http://127.0.0.1/']), ['-sS', 'http://127.0.0.1/']);
    assert.deepEqual(curlArguments([], ['http://127.0.0.1/']), ['http://127.0.0.1/']);
    assert.deepEqual(curlArguments([], ['curl', 'http://127.0.0.1/']), ['http://127.0.0.1/']);
    assert.equal(curlArguments(['sh', '-c'], ['curl http://127.0.0.1/']), undefined);
    assert.equal(curlArguments([], ['sh', '-c', 'curl http://127.0.0.1/']), undefined);
  });
});
