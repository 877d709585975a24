// The layout of the task's bundle, built in memory with the options of tools/build.mjs: the build
// step must print its first line before it loads the Kubernetes and Azure clients.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { bundleOptions } from '../../tools/build.mjs';

const root = path.join(__dirname, '..', '..');
const taskDir = path.join(root, 'tasks', 'KanikoBuildV1');
const ENTRY = 'tasks/KanikoBuildV1/dist/index.js';

/** Packages that only the steps after the first line use, by the start of their path in node_modules. */
const LATER_PACKAGES = ['@kubernetes/client-node/', '@azure/', 'ws/', 'tar/'];
/** client-node's kubeconfig parsers, which the settings use. The module loads nothing else of client-node. */
const KUBECONFIG_PARSERS = 'node_modules/@kubernetes/client-node/dist/config_types.js';

/** Returns the output files that `entry` loads before it runs: itself and its static imports, transitively. */
function loadedAtStart(metafile: Metafile, entry: string): string[] {
  const loaded = new Set([entry]);
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const imported of metafile.outputs[file].imports) {
      if (imported.kind !== 'import-statement' || imported.external || loaded.has(imported.path)) continue;
      loaded.add(imported.path);
      pending.push(imported.path);
    }
  }
  return [...loaded];
}

describe('task bundle', function () {
  this.timeout(60_000);
  let metafile: Metafile;

  before(async () => {
    const result = await build({ ...bundleOptions(taskDir), absWorkingDir: root, write: false, metafile: true, logLevel: 'silent' });
    metafile = result.metafile;
  });

  it('build step starts without the clients', () => {
    const sources = loadedAtStart(metafile, ENTRY).flatMap((file) => Object.keys(metafile.outputs[file].inputs));
    const early = sources.filter((source) => source !== KUBECONFIG_PARSERS
      && LATER_PACKAGES.some((name) => source.includes(`node_modules/${name}`)));

    assert.ok(sources.some((source) => source.endsWith('src/settings/parse.ts')), 'the settings are not in the start-up files');
    assert.deepEqual(early, [], 'import these through src/steps.ts, which main.ts loads after the first log line');
  });

  it('build step loads the clients later', () => {
    const later = metafile.outputs[ENTRY].imports.filter((imported) => imported.kind === 'dynamic-import').map((imported) => imported.path);
    const sources = later.flatMap((file) => loadedAtStart(metafile, file)).flatMap((file) => Object.keys(metafile.outputs[file].inputs));

    assert.ok(sources.some((source) => source.includes('node_modules/@kubernetes/client-node/dist/gen/')), 'client-node is not loaded with import()');
    assert.ok(sources.some((source) => source.includes('node_modules/@azure/storage-blob/')), 'storage-blob is not loaded with import()');
  });
});
