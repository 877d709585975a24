// Builds the task and packages the extension with the real tfx-cli, then reads the .vsix.
// Also runs tools/package.mjs in scratch copies of the repository to check its failures.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import JSZip from 'jszip';

const root = path.join(__dirname, '..', '..');
const taskFolder = 'tasks/KanikoBuildV1';
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'vss-extension.json'), 'utf8')) as { id: string; version: string };
const TEST_PUBLISHER = 'packaging-test';

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runNode(cwd: string, args: string[]): RunResult {
  const env = { ...process.env };
  delete env.EXTENSION_PUBLISHER;
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 170_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function describeRun(result: RunResult): string {
  return `exit code ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

/**
 * Copies what tools/package.mjs reads into a scratch folder that links the repository's
 * node_modules, so that a test can break the copy without touching the checkout.
 */
function makeScratchRepository(options: { bundle: boolean; taskEdits?: Record<string, unknown> }): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'package-scratch-'));
  for (const file of ['vss-extension.json', 'overview.md', 'LICENSE', 'images', 'tools/package.mjs', `${taskFolder}/icon.png`]) {
    fs.cpSync(path.join(root, file), path.join(scratch, file), { recursive: true });
  }
  const task = JSON.parse(fs.readFileSync(path.join(root, taskFolder, 'task.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(scratch, taskFolder, 'task.json'), JSON.stringify({ ...task, ...options.taskEdits }));
  if (options.bundle) {
    fs.mkdirSync(path.join(scratch, taskFolder, 'dist'));
    fs.writeFileSync(path.join(scratch, taskFolder, 'dist', 'index.js'), 'module.exports = {};\n');
    fs.writeFileSync(path.join(scratch, taskFolder, 'dist', 'post.js'), 'module.exports = {};\n');
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  return scratch;
}

describe('extension package', function () {
  this.timeout(180_000);

  let outputDir: string;
  let vsixPath: string;
  let zip: JSZip;

  before(async () => {
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-'));
    const build = runNode(root, ['tools/build.mjs']);
    assert.equal(build.status, 0, `npm run build failed:\n${describeRun(build)}`);

    const packaging = runNode(root, ['tools/package.mjs', '--output-path', outputDir, '--publisher', TEST_PUBLISHER]);
    assert.equal(packaging.status, 0, `tools/package.mjs failed:\n${describeRun(packaging)}`);
    vsixPath = packaging.stdout.trim().split('\n').at(-1) ?? '';
    zip = await JSZip.loadAsync(fs.readFileSync(vsixPath));
  });

  after(() => {
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  it('is named after the publisher override', () => {
    assert.equal(path.dirname(vsixPath), outputDir);
    assert.equal(path.basename(vsixPath), `${TEST_PUBLISHER}.${manifest.id}-${manifest.version}.vsix`);
  });

  it('contains the task and its icons', () => {
    const expected = [
      `${taskFolder}/dist/index.js`,
      `${taskFolder}/dist/post.js`,
      `${taskFolder}/task.json`,
      `${taskFolder}/icon.png`,
      'images/extension-icon.png',
      'overview.md',
      'extension.vsixmanifest',
      'extension.vsomanifest',
    ];
    for (const name of expected) assert.ok(zip.file(name), `${name} is missing from the .vsix`);
  });

  it('contains the Marketplace screenshots', () => {
    const screenshots = (JSON.parse(fs.readFileSync(path.join(root, 'vss-extension.json'), 'utf8')) as { screenshots?: { path: string }[] })
      .screenshots ?? [];
    assert.ok(screenshots.length > 0, 'vss-extension.json lists no screenshots');
    for (const { path: screenshot } of screenshots) assert.ok(zip.file(screenshot), `${screenshot} is missing from the .vsix`);
  });

  it('is smaller than 3 MB', () => {
    // A small package keeps the Marketplace upload and the agent's task download quick.
    const size = fs.statSync(vsixPath).size;
    assert.ok(size < 3_000_000, `the .vsix has ${size} bytes`);
  });

  it('contains every file of the bundle', () => {
    // The handlers load chunk files with import(), and dist/package.json makes Node load them as ES modules.
    const dist = path.join(root, taskFolder, 'dist');
    const files = fs.readdirSync(dist, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    assert.ok(files.some((entry) => entry.name === 'package.json'), 'dist/package.json was not built');
    for (const entry of files) {
      const name = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      assert.ok(zip.file(name), `${name} is missing from the .vsix`);
    }
  });

  it("contains task-lib's resources beside the bundle", () => {
    assert.ok(zip.file(`${taskFolder}/dist/lib.json`), 'dist/lib.json is missing from the .vsix');
    const strings = zip.file(new RegExp(`^${taskFolder}/dist/Strings/`));
    assert.ok(strings.length > 0, 'dist/Strings/ is missing from the .vsix');
  });

  it('leaves out sources and node_modules', () => {
    const names = Object.keys(zip.files);
    for (const name of names) {
      assert.ok(!name.includes('node_modules/'), `${name} is in the .vsix`);
      assert.ok(!name.startsWith(`${taskFolder}/src/`), `${name} is in the .vsix`);
      assert.ok(!/^(samples|test|tools)\//.test(name), `${name} is in the .vsix`);
    }
  });

  it('packs the repository task.json unchanged', async () => {
    const packed = await zip.file(`${taskFolder}/task.json`)!.async('string');
    assert.equal(packed, fs.readFileSync(path.join(root, taskFolder, 'task.json'), 'utf8'));
  });

  it('records the publisher override', async () => {
    const vsixManifest = await zip.file('extension.vsixmanifest')!.async('string');
    assert.match(vsixManifest, new RegExp(`Publisher="${TEST_PUBLISHER}"`));
  });
});

describe('tools/package.mjs failures', function () {
  this.timeout(120_000);

  const scratches: string[] = [];

  after(() => {
    for (const scratch of scratches) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('rejects a missing bundle with a hint', () => {
    const scratch = makeScratchRepository({ bundle: false });
    scratches.push(scratch);
    const result = runNode(scratch, ['tools/package.mjs']);
    assert.equal(result.status, 1, describeRun(result));
    assert.match(result.stderr, /dist\/index\.js is missing/);
    assert.match(result.stderr, /npm run build/);
  });

  it('rejects a task.json that tfx only warns about', () => {
    const scratch = makeScratchRepository({ bundle: true, taskEdits: { friendlyName: 'K'.repeat(41) } });
    scratches.push(scratch);
    const result = runNode(scratch, ['tools/package.mjs']);
    assert.equal(result.status, 1, describeRun(result));
    assert.match(result.stdout, /friendlyName is a required string <= 40 chars/);
    assert.deepEqual(fs.readdirSync(path.join(scratch, 'out')), [], 'the .vsix of a rejected package was kept');
  });

  it('rejects an invalid publisher', () => {
    const scratch = makeScratchRepository({ bundle: true });
    scratches.push(scratch);
    const result = runNode(scratch, ['tools/package.mjs', '--publisher', 'my publisher']);
    assert.equal(result.status, 1, describeRun(result));
    assert.match(result.stderr, /Invalid publisher ID "my publisher"/);
  });

  it('accepts an unchanged scratch copy', () => {
    const scratch = makeScratchRepository({ bundle: true });
    scratches.push(scratch);
    const result = runNode(scratch, ['tools/package.mjs']);
    assert.equal(result.status, 0, describeRun(result));
    assert.ok(fs.existsSync(result.stdout.trim().split('\n').at(-1)!), 'the printed .vsix path does not exist');
  });
});
