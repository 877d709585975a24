// Checks task.json and vss-extension.json the way `tfx extension create` (tfx-cli 0.23) and
// the task editor read them, so that a broken manifest fails here and not at upload.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';

const root = path.join(__dirname, '..', '..');
const taskFolder = 'tasks/KanikoBuildV1';
const taskDir = path.join(root, taskFolder);
const schemaPath = path.join(root, 'test', 'fixtures', 'task.schema.json');

interface TaskInput {
  name: string;
}

interface TaskJson {
  id: string;
  name: string;
  friendlyName: string;
  instanceNameFormat: string;
  inputs: TaskInput[];
  outputVariables?: { name: string }[];
  execution: Record<string, { target: string }>;
  postjobexecution?: Record<string, { target: string }>;
  messages?: Record<string, string>;
}

interface ExtensionManifest {
  manifestVersion: number;
  id: string;
  publisher: string;
  description: string;
  categories: string[];
  galleryFlags?: string[];
  icons: { default: string };
  content: { details: { path: string } };
  files: { path: string }[];
  contributions: { id: string; type: string; targets: string[]; properties: { name: string } }[];
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

const task = readJson<TaskJson>(path.join(taskDir, 'task.json'));
const manifest = readJson<ExtensionManifest>(path.join(root, 'vss-extension.json'));
const inputNames = new Set(task.inputs.map((input) => input.name));

/** Returns the width and height stored in a PNG file's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const data = fs.readFileSync(file);
  assert.equal(data.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${file} is not a PNG file`);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Returns the text of every TypeScript file under the task's src/, keyed by path. */
function readTaskSources(): Map<string, string> {
  const srcDir = path.join(taskDir, 'src');
  const sources = new Map<string, string>();
  for (const name of fs.readdirSync(srcDir, { recursive: true }) as string[]) {
    if (name.endsWith('.ts')) sources.set(name, fs.readFileSync(path.join(srcDir, name), 'utf8'));
  }
  return sources;
}

describe('task.json', () => {
  it('matches the task.json schema', () => {
    // The schema's patterns are ECMA 262 expressions written for non-Unicode mode, such as `\:`.
    const ajv = new Ajv({ allErrors: true, unicodeRegExp: false, allowUnionTypes: true });
    const validate = ajv.compile(readJson<object>(schemaPath));
    const valid = validate(task);
    assert.ok(valid, `task.json does not match ${schemaPath}:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  });

  it('has a GUID id', () => {
    assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  });

  it('has a name of letters, digits and dashes', () => {
    assert.match(task.name, /^[A-Za-z0-9-]+$/);
  });

  it('has a friendlyName of at most 40 characters', () => {
    assert.ok(task.friendlyName.length > 0, 'friendlyName is empty');
    assert.ok(task.friendlyName.length <= 40, `friendlyName has ${task.friendlyName.length} characters`);
  });

  it('runs dist/index.js on Node 20 and 24', () => {
    assert.deepEqual(Object.keys(task.execution).sort(), ['Node20_1', 'Node24']);
    for (const [handler, { target }] of Object.entries(task.execution)) {
      assert.equal(target, 'dist/index.js', `execution.${handler}.target`);
    }
  });

  it('runs dist/post.js after the job on Node 20 and 24', () => {
    // The agent runs a postjobexecution handler after the job's steps with the condition always().
    assert.deepEqual(Object.keys(task.postjobexecution ?? {}).sort(), ['Node20_1', 'Node24']);
    for (const [handler, { target }] of Object.entries(task.postjobexecution ?? {})) {
      assert.equal(target, 'dist/post.js', `postjobexecution.${handler}.target`);
    }
  });

  it('names only inputs in instanceNameFormat', () => {
    assert.ok(task.instanceNameFormat.trim().length > 0, 'instanceNameFormat is empty');
    const references = [...task.instanceNameFormat.matchAll(/\$\(([^)]+)\)/g)].map((match) => match[1]);
    for (const reference of references) {
      assert.ok(inputNames.has(reference), `instanceNameFormat refers to $(${reference}), which is not an input`);
    }
  });

  it('declares the image output variables', () => {
    const outputs = (task.outputVariables ?? []).map((output) => output.name);
    assert.ok(outputs.includes('imageDigest'), 'outputVariables lacks imageDigest');
    assert.ok(outputs.includes('imageName'), 'outputVariables lacks imageName');
  });
});

describe('task.json messages', () => {
  const sources = readTaskSources();
  const messages = task.messages ?? {};

  it('contains every key passed to loc', () => {
    for (const [file, text] of sources) {
      for (const match of text.matchAll(/\bloc\(\s*(['"`])([^'"`]+)\1/g)) {
        assert.ok(match[2] in messages, `src/${file} uses message ${match[2]}, which task.json does not declare`);
      }
    }
  });

  it('has no message unused by the source', () => {
    const allText = [...sources.values()].join('\n');
    for (const key of Object.keys(messages)) {
      const quoted = new RegExp(`(['"\`])${key}\\1`);
      assert.match(allText, quoted, `task.json message ${key} is not used in src/`);
    }
  });
});

describe('vss-extension.json', () => {
  const taskContributions = manifest.contributions.filter((item) => item.type === 'ms.vss-distributed-task.task');

  it('identifies the extension', () => {
    assert.equal(manifest.manifestVersion, 1);
    assert.equal(manifest.id, 'kaniko-build-on-aks');
    assert.match(manifest.publisher, /^[A-Za-z0-9][A-Za-z0-9-]*$/);
    assert.deepEqual(manifest.categories, ['Azure Pipelines']);
    assert.ok(manifest.galleryFlags?.includes('Preview'), 'galleryFlags lacks Preview');
  });

  it('has a description of at most 200 characters', () => {
    assert.ok(manifest.description.length > 0, 'description is empty');
    assert.ok(manifest.description.length <= 200, `description has ${manifest.description.length} characters`);
  });

  it('contributes the task folder', () => {
    assert.equal(taskContributions.length, 1);
    const [contribution] = taskContributions;
    assert.equal(contribution.id, 'kaniko-build-task');
    assert.deepEqual(contribution.targets, ['ms.vss-distributed-task.tasks']);
    assert.equal(contribution.properties.name, taskFolder);
  });

  it("packages only the task's run-time files", () => {
    const paths = manifest.files.map((file) => path.posix.normalize(file.path));
    assert.ok(paths.includes(`${taskFolder}/task.json`), 'files lacks task.json');
    assert.ok(paths.includes(`${taskFolder}/icon.png`), 'files lacks icon.png');
    for (const { target } of Object.values(task.execution)) {
      const targetFolder = path.posix.dirname(`${taskFolder}/${target}`);
      assert.ok(paths.includes(targetFolder), `files lacks ${targetFolder}, which contains the handler ${target}`);
    }
    for (const file of paths) {
      assert.notEqual(file, taskFolder, 'files lists the whole task folder, which would ship src/');
      assert.ok(!/(^|\/)(src|node_modules)(\/|$)/.test(file), `files lists ${file}, which is not needed at run time`);
    }
  });

  it('points at existing content files', () => {
    for (const file of [manifest.icons.default, manifest.content.details.path]) {
      assert.ok(fs.existsSync(path.join(root, file)), `${file} does not exist`);
    }
  });

  it('has PNG icons of the Marketplace sizes', () => {
    const extensionIcon = pngSize(path.join(root, manifest.icons.default));
    assert.ok(extensionIcon.width >= 128, `extension icon is ${extensionIcon.width} pixels wide, expected at least 128`);
    assert.equal(extensionIcon.height, extensionIcon.width, 'extension icon is not square');
    assert.deepEqual(pngSize(path.join(taskDir, 'icon.png')), { width: 32, height: 32 });
  });
});
