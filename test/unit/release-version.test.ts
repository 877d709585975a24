// Checks that the task and extension versions agree and that the task code has not changed since
// its version was recorded. Also runs tools/bump-version.mjs on scratch copies of the repository.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeFingerprint, findVersionProblems, nextVersion, readVersions } from '../../tools/bump-version.mjs';

const root = path.join(__dirname, '..', '..');
const taskFolder = 'tasks/KanikoBuildV1';
const SCRATCH_VERSION = { Major: 3, Minor: 7, Patch: 2 };

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runBump(cwd: string, args: string[]): RunResult {
  const result = spawnSync(process.execPath, ['tools/bump-version.mjs', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function describeRun(result: RunResult): string {
  return `exit code ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Copies what tools/bump-version.mjs reads into a scratch folder that links the repository's
 * node_modules, sets both versions to 3.7.2 and records that version there.
 */
function makeScratchRepository(): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bump-scratch-'));
  const files = ['vss-extension.json', 'package-lock.json', 'tools/build.mjs', 'tools/bump-version.mjs', `${taskFolder}/src`, `${taskFolder}/task.json`];
  for (const file of files) fs.cpSync(path.join(root, file), path.join(scratch, file), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');

  const task = readJson(path.join(scratch, taskFolder, 'task.json'));
  writeJson(path.join(scratch, taskFolder, 'task.json'), { ...task, version: SCRATCH_VERSION });
  const manifest = readJson(path.join(scratch, 'vss-extension.json'));
  writeJson(path.join(scratch, 'vss-extension.json'), { ...manifest, version: '3.7.2' });
  const record = runBump(scratch, ['--record']);
  assert.equal(record.status, 0, describeRun(record));
  return scratch;
}

describe('release version', () => {
  it('fits the task code', async () => {
    const problems = await findVersionProblems(root);
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('is the same in task.json and vss-extension.json', () => {
    const versions = readVersions(root);
    assert.equal(versions.task, versions.extension, 'task.json and vss-extension.json have different versions');
  });
});

describe('nextVersion', () => {
  const cases: [string, string, string][] = [
    ['1.4.0', 'major', '2.0.0'],
    ['1.4.0', 'minor', '1.5.0'],
    ['1.4.0', 'patch', '1.4.1'],
    ['1.4.9', 'patch', '1.4.10'],
    ['1.4.0', '1.10.0', '1.10.0'],
    ['1.4.0', '2.0.0', '2.0.0'],
  ];
  for (const [current, request, expected] of cases) {
    it(`turns ${current} with ${request} into ${expected}`, () => {
      assert.equal(nextVersion(current, request), expected);
    });
  }

  it('rejects a version that is not higher', () => {
    assert.throws(() => nextVersion('1.4.0', '1.4.0'), /1\.4\.0 is not above the current version 1\.4\.0/);
    assert.throws(() => nextVersion('1.4.0', '1.3.9'), /1\.3\.9 is not above/);
  });

  it('rejects other text', () => {
    for (const request of ['Minor', '1.5', '1.5.0-beta', 'v1.5.0', '01.5.0', '']) {
      assert.throws(() => nextVersion('1.4.0', request), /Invalid version or bump kind/, `accepted "${request}"`);
    }
  });
});

describe('tools/bump-version.mjs', function () {
  this.timeout(120_000);

  const scratches: string[] = [];
  function scratchRepository(): string {
    const scratch = makeScratchRepository();
    scratches.push(scratch);
    return scratch;
  }

  after(() => {
    for (const scratch of scratches) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('rejects bad arguments without writing', () => {
    const scratch = scratchRepository();
    const before = fs.readFileSync(path.join(scratch, taskFolder, 'task.json'), 'utf8');
    const cases: [string[], RegExp][] = [
      [[], /Usage: node tools\/bump-version\.mjs/],
      [['banana'], /Invalid version or bump kind "banana"/],
      [['3.7.2'], /3\.7\.2 is not above the current version 3\.7\.2/],
      [['minor', 'patch'], /Usage:/],
    ];
    for (const [args, message] of cases) {
      const result = runBump(scratch, args);
      assert.equal(result.status, 1, `${args.join(' ')}: ${describeRun(result)}`);
      assert.match(result.stderr, message);
    }
    assert.equal(fs.readFileSync(path.join(scratch, taskFolder, 'task.json'), 'utf8'), before, 'task.json changed');
    assert.equal(readVersions(scratch).extension, '3.7.2', 'vss-extension.json changed');
  });

  it('prints its usage for --help', () => {
    const scratch = scratchRepository();
    const result = runBump(scratch, ['--help']);

    assert.equal(result.status, 0, describeRun(result));
    assert.match(result.stdout, /^Usage: node tools\/bump-version\.mjs/);
    assert.equal(readVersions(scratch).task, '3.7.2', 'task.json changed');
  });

  it('bumps both versions with each kind', async () => {
    const scratch = scratchRepository();
    const taskFile = path.join(scratch, taskFolder, 'task.json');
    const taskBefore = readJson(taskFile);
    const steps: [string, string, { Major: number; Minor: number; Patch: number }][] = [
      ['patch', '3.7.3', { Major: 3, Minor: 7, Patch: 3 }],
      ['minor', '3.8.0', { Major: 3, Minor: 8, Patch: 0 }],
      ['major', '4.0.0', { Major: 4, Minor: 0, Patch: 0 }],
      ['4.10.0', '4.10.0', { Major: 4, Minor: 10, Patch: 0 }],
    ];
    for (const [request, expected, taskVersion] of steps) {
      const result = runBump(scratch, [request]);
      assert.equal(result.status, 0, `${request}: ${describeRun(result)}`);

      const taskAfter = readJson(taskFile);
      assert.deepEqual(taskAfter.version, taskVersion, `task.json version after ${request}`);
      assert.deepEqual({ ...taskAfter, version: undefined }, { ...taskBefore, version: undefined }, 'task.json changed beyond its version');
      const versions = readVersions(scratch);
      assert.equal(versions.extension, expected, `vss-extension.json version after ${request}`);
      assert.deepEqual(versions.recorded, { version: expected, sha256: await computeFingerprint(scratch) });
    }
    assert.deepEqual(await findVersionProblems(scratch), []);
  });

  it('reports a source change until the next bump', async () => {
    const scratch = scratchRepository();
    fs.appendFileSync(path.join(scratch, taskFolder, 'src', 'main.ts'), '\n// changed\n');
    const problems = await findVersionProblems(scratch);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /task code changed since version 3\.7\.2; run `node tools\/bump-version\.mjs minor`/);

    const result = runBump(scratch, ['minor']);
    assert.equal(result.status, 0, describeRun(result));
    assert.deepEqual(await findVersionProblems(scratch), []);
  });

  it('reports a new source file', async () => {
    const scratch = scratchRepository();
    fs.writeFileSync(path.join(scratch, taskFolder, 'src', 'extra.ts'), 'export const extra = 1;\n');
    assert.match((await findVersionProblems(scratch)).join('\n'), /task code changed since version 3\.7\.2/);
  });

  it('ignores line endings', async () => {
    const scratch = scratchRepository();
    const file = path.join(scratch, taskFolder, 'src', 'main.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    assert.deepEqual(await findVersionProblems(scratch), []);
  });

  it('reports a task.json change but not a version edit', async () => {
    const scratch = scratchRepository();
    const taskFile = path.join(scratch, taskFolder, 'task.json');
    const task = readJson(taskFile);
    const before = await computeFingerprint(scratch);
    writeJson(taskFile, { ...task, version: { Major: 9, Minor: 9, Patch: 9 } });
    assert.equal(await computeFingerprint(scratch), before, 'the fingerprint depends on the version');

    writeJson(taskFile, { ...task, friendlyName: 'Another name' });
    assert.match((await findVersionProblems(scratch)).join('\n'), /task code changed since version 3\.7\.2/);
  });

  it('reports a bundled dependency change only', async () => {
    const scratch = scratchRepository();
    const lockFile = path.join(scratch, 'package-lock.json');
    const lock = readJson(lockFile) as { packages: Record<string, { version: string }> };
    const before = await computeFingerprint(scratch);

    // mocha runs the tests and is not in the bundle. tar packs the build context and is bundled.
    lock.packages['node_modules/mocha'].version = '99.0.0';
    writeJson(lockFile, lock);
    assert.equal(await computeFingerprint(scratch), before, 'a test-only package changed the fingerprint');

    lock.packages['node_modules/tar'].version = '99.0.0';
    writeJson(lockFile, lock);
    assert.notEqual(await computeFingerprint(scratch), before, 'a bundled package did not change the fingerprint');
  });

  it('reports different versions in the two manifests', async () => {
    const scratch = scratchRepository();
    const manifestFile = path.join(scratch, 'vss-extension.json');
    writeJson(manifestFile, { ...readJson(manifestFile), version: '3.6.0' });
    const problems = await findVersionProblems(scratch);
    assert.match(problems.join('\n'), /task version 3\.7\.2 \(task\.json\) and the extension version 3\.6\.0 \(vss-extension\.json\) differ/);

    const ambiguous = runBump(scratch, ['minor']);
    assert.equal(ambiguous.status, 1, describeRun(ambiguous));
    assert.match(ambiguous.stderr, /"minor" is ambiguous/);

    const explicit = runBump(scratch, ['3.9.0']);
    assert.equal(explicit.status, 0, describeRun(explicit));
    assert.deepEqual(await findVersionProblems(scratch), []);
  });

  it('reports a version edited by hand', async () => {
    const scratch = scratchRepository();
    const taskFile = path.join(scratch, taskFolder, 'task.json');
    writeJson(taskFile, { ...readJson(taskFile), version: { Major: 3, Minor: 8, Patch: 0 } });
    const manifestFile = path.join(scratch, 'vss-extension.json');
    writeJson(manifestFile, { ...readJson(manifestFile), version: '3.8.0' });
    assert.match((await findVersionProblems(scratch)).join('\n'), /records version 3\.7\.2, but the task version is 3\.8\.0/);
  });
});
