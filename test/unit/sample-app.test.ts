// Checks that the Flask sample and the YAML examples in overview.md fit the task: the
// sample's .dockerignore keeps what the Dockerfile copies and drops the clutter, and every
// KanikoBuild@1 step uses only inputs that task.json declares.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { listContextEntries } from '../../tasks/KanikoBuildV1/src/context/files';

const root = path.join(__dirname, '..', '..');
const sampleDir = path.join(root, 'samples', 'flask-app');
const pipelinePath = path.join(sampleDir, 'azure-pipelines', 'aks-build.yml');

interface TaskInput {
  name: string;
  aliases?: string[];
  required?: boolean;
  defaultValue?: string;
  visibleRule?: string;
}

interface PipelineStep {
  task?: string;
  name?: string;
  inputs?: Record<string, unknown>;
  env?: Record<string, unknown>;
  [key: string]: unknown;
}

const taskInputs = (JSON.parse(fs.readFileSync(path.join(root, 'tasks', 'KanikoBuildV1', 'task.json'), 'utf8')) as {
  inputs: TaskInput[];
}).inputs;

/** Returns the sources of the Dockerfile's COPY and ADD instructions that read the build context. */
function copiedSources(dockerfile: string): string[] {
  const sources: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (!/^(COPY|ADD)$/i.test(words[0] ?? '')) continue;
    // COPY --from reads another stage or image, not the build context.
    if (words.some((word) => word.startsWith('--from='))) continue;
    const operands = words.slice(1).filter((word) => !word.startsWith('--'));
    sources.push(...operands.slice(0, -1));
  }
  return sources;
}

/** Asserts that a KanikoBuild@1 step gives every required input and no unknown one. */
function checkKanikoStep(step: PipelineStep, where: string): void {
  const inputs = step.inputs ?? {};
  const known = new Map<string, TaskInput>();
  for (const input of taskInputs) {
    for (const name of [input.name, ...(input.aliases ?? [])]) known.set(name.toUpperCase(), input);
  }

  for (const key of Object.keys(inputs)) {
    assert.ok(known.has(key.toUpperCase()), `${where} uses input ${key}, which task.json does not declare`);
  }
  const providedInputs = new Set(Object.keys(inputs).map((key) => known.get(key.toUpperCase())?.name));
  const valueOf = (name: string): string => {
    const key = Object.keys(inputs).find((candidate) => known.get(candidate.toUpperCase())?.name === name);
    return key === undefined ? taskInputs.find((input) => input.name === name)?.defaultValue ?? '' : String(inputs[key]);
  };
  // A required input counts only where its visibleRule (`name = value`, as task.json uses) shows it.
  const isVisible = (input: TaskInput): boolean => {
    const rule = /^(\w+) = (\w+)$/.exec(input.visibleRule ?? '');
    return !rule || valueOf(rule[1]) === rule[2];
  };
  for (const input of taskInputs.filter((candidate) => candidate.required && !candidate.defaultValue && isVisible(candidate))) {
    assert.ok(providedInputs.has(input.name), `${where} lacks the required input ${input.name}`);
  }
  assert.match(String(inputs.storageAccessKey), /^\$\([A-Za-z0-9_.]+\)$/, `${where} must take storageAccessKey from a variable`);
}

function kanikoSteps(steps: PipelineStep[]): PipelineStep[] {
  return steps.filter((step) => step.task === 'KanikoBuild@1');
}

describe('flask sample build context', () => {
  let contextDir: string;

  before(() => {
    // A copy of the sample with the clutter that a developer's checkout typically has.
    contextDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flask-sample-'));
    fs.cpSync(sampleDir, contextDir, { recursive: true });
    const clutter = ['.git/HEAD', '__pycache__/app.cpython-312.pyc', 'tests/__pycache__/test_app.cpython-312.pyc', '.venv/pyvenv.cfg', '.env', 'app.pyc'];
    for (const file of clutter) {
      fs.mkdirSync(path.dirname(path.join(contextDir, file)), { recursive: true });
      fs.writeFileSync(path.join(contextDir, file), 'clutter\n');
    }
  });

  after(() => {
    fs.rmSync(contextDir, { recursive: true, force: true });
  });

  it('contains every file the Dockerfile copies', async () => {
    const names = new Set((await listContextEntries(contextDir, 'Dockerfile')).map((entry) => entry.name));
    const sources = copiedSources(fs.readFileSync(path.join(sampleDir, 'Dockerfile'), 'utf8'));
    assert.deepEqual(sources.sort(), ['app.py', 'requirements.txt']);
    for (const source of sources) assert.ok(names.has(source), `${source} is copied but excluded by .dockerignore`);
    assert.ok(names.has('Dockerfile'), 'Dockerfile is missing from the context');
  });

  it('leaves out clutter, tests and docs', async () => {
    const names = (await listContextEntries(contextDir, 'Dockerfile')).map((entry) => entry.name);
    const excluded = ['.git', '__pycache__', '.venv', '.env', 'app.pyc', 'tests', 'azure-pipelines', 'README.md', '.env.example'];
    for (const name of excluded) {
      const leaked = names.filter((entry) => entry === name || entry.startsWith(`${name}/`));
      assert.deepEqual(leaked, [], `${name} is in the build context`);
    }
  });
});

describe('flask sample pipeline', () => {
  const pipeline = parse(fs.readFileSync(pipelinePath, 'utf8')) as { steps: PipelineStep[] };

  it('runs one KanikoBuild@1 step named build', () => {
    const steps = kanikoSteps(pipeline.steps);
    assert.equal(steps.length, 1);
    assert.equal(steps[0].name, 'build');
    checkKanikoStep(steps[0], 'aks-build.yml');
  });

  it('points at the sample Dockerfile and context', () => {
    const inputs = kanikoSteps(pipeline.steps)[0].inputs ?? {};
    assert.ok(fs.existsSync(path.join(root, String(inputs.dockerfile))), `dockerfile ${inputs.dockerfile} does not exist`);
    assert.ok(fs.statSync(path.join(root, String(inputs.buildContext))).isDirectory(), `buildContext ${inputs.buildContext} is not a folder`);
  });

  it('reads the outputs in a later step', () => {
    const buildIndex = pipeline.steps.findIndex((step) => step.task === 'KanikoBuild@1');
    const later = JSON.stringify(pipeline.steps.slice(buildIndex + 1));
    assert.match(later, /\$\(build\.imageName\)/);
    assert.match(later, /\$\(build\.imageDigest\)/);
  });
});

describe('overview.md examples', () => {
  const overview = fs.readFileSync(path.join(root, 'overview.md'), 'utf8');
  const blocks = [...overview.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
  const examples = blocks.filter((block) => block.includes('KanikoBuild@1'));

  it('has a KanikoBuild@1 example', () => {
    assert.ok(examples.length > 0, 'overview.md has no YAML example that uses KanikoBuild@1');
  });

  it('uses only declared inputs', () => {
    for (const example of examples) {
      const steps = (parse(example) as { steps: PipelineStep[] }).steps;
      for (const step of kanikoSteps(steps)) checkKanikoStep(step, 'overview.md example');
    }
  });
});
