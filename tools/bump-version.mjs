// Bumps the task version in task.json and the extension version in vss-extension.json together.
// It also records a fingerprint of the task's shipped code for the new version, so that a test
// fails when the code changes but the version does not.
//   node tools/bump-version.mjs major|minor|patch    next major, minor or patch version
//   node tools/bump-version.mjs 1.6.0                 an explicit version, above the current one
//   node tools/bump-version.mjs --record              records the fingerprint for the current
//                                                     version, which must not be published yet
//
// The fingerprint is a SHA-256 over every file under the task's src/ (with LF line endings), its
// task.json without `version`, tools/build.mjs, and the package-lock.json versions of esbuild and
// of every package that esbuild puts into the bundle. esbuild's metafile names those packages, so
// a dependency that only the tests use does not count.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TASK_FOLDER = 'tasks/KanikoBuildV1';
const FINGERPRINT_FILE = `${TASK_FOLDER}/code-fingerprint.json`;
const BUMP_KINDS = ['major', 'minor', 'patch'];
const VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const USAGE = 'Usage: node tools/bump-version.mjs major|minor|patch|X.Y.Z, or --record to record the current version';

function readJson(root, file) {
  try {
    return JSON.parse(readFileSync(join(root, file), 'utf8'));
  } catch (error) {
    throw new Error(`Failed to read ${file}: ${error.message}`, { cause: error });
  }
}

function writeJson(root, file, value) {
  writeFileSync(join(root, file), `${JSON.stringify(value, null, 2)}\n`);
}

/** Parses "X.Y.Z" into numbers, or returns undefined for anything else. */
export function parseVersion(text) {
  const match = VERSION_PATTERN.exec(String(text));
  return match ? match.slice(1).map(Number) : undefined;
}

function compareVersions(left, right) {
  for (let index = 0; index < 3; index += 1) {
    if (left[index] !== right[index]) return left[index] - right[index];
  }
  return 0;
}

/** Reads the task version, the extension version and the recorded fingerprint, if any. */
export function readVersions(root) {
  const { Major, Minor, Patch } = readJson(root, `${TASK_FOLDER}/task.json`).version ?? {};
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(join(root, FINGERPRINT_FILE), 'utf8'));
  } catch (error) {
    if (error.code !== 'ENOENT') throw new Error(`Failed to read ${FINGERPRINT_FILE}: ${error.message}`, { cause: error });
  }
  return {
    task: `${Major}.${Minor}.${Patch}`,
    extension: String(readJson(root, 'vss-extension.json').version),
    recorded,
  };
}

/** Returns the higher of two versions, or the one of the form X.Y.Z when the other is not. */
function higherVersion(left, right) {
  const leftParts = parseVersion(left);
  const rightParts = parseVersion(right);
  if (!leftParts || !rightParts) return leftParts ? left : right;
  return compareVersions(leftParts, rightParts) >= 0 ? left : right;
}

/**
 * Returns the version after `current` for a bump kind, or the explicit version `request` when it
 * is above `current`. Throws on anything else.
 */
export function nextVersion(current, request) {
  const parts = parseVersion(current);
  if (!parts) throw new Error(`The current version "${current}" is not of the form X.Y.Z.`);
  const [major, minor, patch] = parts;
  if (request === 'major') return `${major + 1}.0.0`;
  if (request === 'minor') return `${major}.${minor + 1}.0`;
  if (request === 'patch') return `${major}.${minor}.${patch + 1}`;

  const explicit = parseVersion(request);
  if (!explicit) throw new Error(`Invalid version or bump kind "${request}".\n${USAGE}`);
  if (compareVersions(explicit, parts) <= 0) {
    throw new Error(`The version ${request} is not above the current version ${current}.`);
  }
  return request;
}

function listFiles(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function hashText(text) {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * Returns the package-lock.json keys (such as `node_modules/a/node_modules/b`) of the packages
 * that esbuild bundles into the task, from the metafile of an in-memory build.
 */
async function bundledPackages(root) {
  const { build } = await import('esbuild');
  const { bundleOptions } = await import('./build.mjs');
  const result = await build({
    ...bundleOptions(join(root, TASK_FOLDER)),
    absWorkingDir: root,
    write: false,
    metafile: true,
    logLevel: 'error',
  });

  const packages = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const start = input.indexOf('node_modules/');
    if (start < 0) continue;
    // The package folder ends after the last `node_modules/NAME` or `node_modules/@SCOPE/NAME`.
    const pathInModules = input.slice(start);
    const folders = [...pathInModules.matchAll(/node_modules\/(?:@[^/]+\/)?[^/]+/g)];
    const last = folders.at(-1);
    packages.add(pathInModules.slice(0, last.index + last[0].length));
  }
  return [...packages].sort();
}

/** Computes the SHA-256 fingerprint of the task's shipped code in the repository at `root`. */
export async function computeFingerprint(root) {
  const lines = [];
  const srcDir = join(root, TASK_FOLDER, 'src');
  const sources = listFiles(srcDir).map((file) => relative(root, file).split(sep).join('/')).sort();
  for (const file of sources) lines.push(`file ${file} ${hashText(readFileSync(join(root, file), 'utf8'))}`);

  const task = readJson(root, `${TASK_FOLDER}/task.json`);
  delete task.version;
  lines.push(`task.json ${hashText(JSON.stringify(task))}`);
  lines.push(`file tools/build.mjs ${hashText(readFileSync(join(root, 'tools', 'build.mjs'), 'utf8'))}`);

  const lock = readJson(root, 'package-lock.json');
  for (const key of ['node_modules/esbuild', ...(await bundledPackages(root))]) {
    const entry = lock.packages?.[key];
    if (!entry?.version) {
      throw new Error(`package-lock.json has no version for ${key}. Run \`npm install\` to update the lock file.`);
    }
    lines.push(`package ${key} ${entry.version}`);
  }
  return createHash('sha256').update(`${lines.join('\n')}\n`).digest('hex');
}

/**
 * Returns the reasons why the versions and the recorded fingerprint do not fit the code, each
 * with the command that fixes it. An empty list means they fit.
 */
export async function findVersionProblems(root) {
  const versions = readVersions(root);
  if (versions.task !== versions.extension) {
    return [
      `The task version ${versions.task} (task.json) and the extension version ${versions.extension} ` +
        '(vss-extension.json) differ. Set both with `node tools/bump-version.mjs X.Y.Z`.',
    ];
  }
  if (!versions.recorded) {
    return [`${FINGERPRINT_FILE} is missing. Run \`node tools/bump-version.mjs --record\` to record version ${versions.task}.`];
  }
  if (versions.recorded.version !== versions.task) {
    return [
      `${FINGERPRINT_FILE} records version ${versions.recorded.version}, but the task version is ${versions.task}. ` +
        'Bump versions with `node tools/bump-version.mjs`, which records both, or run it with --record.',
    ];
  }
  if (versions.recorded.sha256 !== (await computeFingerprint(root))) {
    return [
      `The task code changed since version ${versions.task}; run \`node tools/bump-version.mjs minor\` ` +
        '(patch for a fix only, major for a breaking change to inputs or behaviour).',
    ];
  }
  return [];
}

/** Writes `version` into task.json and vss-extension.json, and records the code's fingerprint for it. */
async function applyVersion(root, version) {
  const [Major, Minor, Patch] = parseVersion(version);
  const sha256 = await computeFingerprint(root);

  const task = readJson(root, `${TASK_FOLDER}/task.json`);
  task.version = { Major, Minor, Patch };
  writeJson(root, `${TASK_FOLDER}/task.json`, task);

  const manifest = readJson(root, 'vss-extension.json');
  manifest.version = version;
  writeJson(root, 'vss-extension.json', manifest);

  writeJson(root, FINGERPRINT_FILE, { version, sha256 });
  return sha256;
}

async function main(args) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    console.log(USAGE);
    return;
  }
  if (args.length !== 1) throw new Error(USAGE);
  const [request] = args;
  const { task, extension } = readVersions(root);

  if (request === '--record') {
    if (task !== extension) {
      throw new Error(`task.json has version ${task} and vss-extension.json ${extension}. Set both with an explicit version.`);
    }
    const sha256 = await applyVersion(root, task);
    console.log(`Recorded the fingerprint ${sha256} for version ${task} in ${FINGERPRINT_FILE}.`);
    return;
  }

  if (task !== extension && BUMP_KINDS.includes(request)) {
    throw new Error(
      `task.json has version ${task} and vss-extension.json ${extension}, so "${request}" is ambiguous. ` +
        'Give an explicit version above both.',
    );
  }
  const version = nextVersion(higherVersion(task, extension), request);
  const sha256 = await applyVersion(root, version);
  console.log(`Bumped task.json from ${task} and vss-extension.json from ${extension} to ${version}.`);
  console.log(`Recorded the fingerprint ${sha256} for version ${version} in ${FINGERPRINT_FILE}.`);
}

// Run as a script, this bumps the versions. The tests import the module for its checks.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  });
}
