// The in-cluster connection, with the task run as if in a pod: in a mount namespace where the
// service account token, CA and namespace sit at the path Kubernetes mounts them.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedStandIns } from '../stand-ins';
import { assertNoSecretInOutput, assertNothingLeft, errors, runBuild } from './harness';

const SMALL_BUILD = { Dockerfile: 'FROM alpine:3.20\nRUN echo in-cluster\n' };

/** Tells whether this machine lets the tests make a private mount namespace (root and unshare). */
function canUnshareMounts(): boolean {
  return spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status === 0;
}

/**
 * Writes a Node.js launcher that runs the task with `serviceAccountDir` mounted where a pod has
 * its token. It is Node, not a shell script, because dash drops environment variables whose
 * names are not shell names, such as the agent's ENDPOINT_URL_<GUID>.
 */
function podLikeNode(folder: string, serviceAccountDir: string): string {
  const launcher = path.join(folder, 'node-in-pod');
  const inPod = path.join(folder, 'in-pod.js');
  fs.writeFileSync(launcher, [
    `#!${process.execPath}`,
    "const { spawnSync } = require('node:child_process');",
    'const args = process.argv.slice(2);',
    "if (args[0] === '-v' || args[0] === '--version') { console.log(process.version); process.exit(0); }",
    `const run = spawnSync('unshare', ['--mount', '--propagation', 'private', process.execPath, ${JSON.stringify(inPod)}, ...args], { stdio: 'inherit' });`,
    'process.exit(run.status ?? 1);',
    '',
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(inPod, [
    "const { execFileSync } = require('node:child_process');",
    "const fs = require('node:fs');",
    "const path = require('node:path');",
    "execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', '/run']);",
    "const target = '/run/secrets/kubernetes.io/serviceaccount';",
    'fs.mkdirSync(target, { recursive: true });',
    `for (const file of fs.readdirSync(${JSON.stringify(serviceAccountDir)})) fs.copyFileSync(path.join(${JSON.stringify(serviceAccountDir)}, file), path.join(target, file));`,
    'const script = path.resolve(process.argv[2]);',
    'process.argv.splice(1, 2, script);',
    // import() loads the bundle as `node script` does, also where it is an ES module.
    "import(require('node:url').pathToFileURL(script).href);",
    '',
  ].join('\n'));
  return launcher;
}

describe('KanikoBuild in-cluster connection', function () {
  this.timeout(120_000);
  let folder: string;

  before(function () {
    if (!canUnshareMounts()) this.skip();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'in-cluster-'));
  });

  after(() => {
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('uses the pod service account and its namespace', async () => {
    const { cluster } = await sharedStandIns();
    cluster.createNamespace('agents');
    const token = cluster.addUser('system:serviceaccount:agents:azp-agent', [
      { verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'], resources: ['pods', 'pods/log', 'secrets', 'events'], namespaces: ['agents'] },
    ]);
    const serviceAccountDir = path.join(folder, 'serviceaccount');
    fs.mkdirSync(serviceAccountDir);
    fs.writeFileSync(path.join(serviceAccountDir, 'token'), token);
    fs.writeFileSync(path.join(serviceAccountDir, 'ca.crt'), cluster.caPem);
    fs.writeFileSync(path.join(serviceAccountDir, 'namespace'), 'agents');
    const build = await runBuild({
      files: SMALL_BUILD,
      namespace: 'agents',
      clusterEndpoint: null,
      inputs: { connectionType: 'inCluster', kubernetesServiceConnection: undefined, namespace: undefined },
      env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(cluster.url).port },
      nodePath: podLikeNode(folder, serviceAccountDir),
    });
    build.secrets.push(token);
    assert.equal(build.run.result, 'Succeeded', errors(build.run));
    assert.ok(build.record, 'the pod did not run in the namespace agents');
    await assertNothingLeft(build);
    assertNoSecretInOutput(build);
  });

  it('outside a pod fails before anything is created', async () => {
    const build = await runBuild({
      files: SMALL_BUILD,
      clusterEndpoint: null,
      inputs: { connectionType: 'inCluster', kubernetesServiceConnection: undefined },
    });
    assert.equal(build.run.result, 'Failed');
    assert.match(errors(build.run), /'inCluster' needs an agent that runs as a pod in the cluster/);
    await assertNothingLeft(build);
  });
});
