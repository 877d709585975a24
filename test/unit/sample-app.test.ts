// Checks that the Flask sample fits the task: the sample's .dockerignore keeps what the
// Dockerfile copies and drops the clutter, and its pipeline runs one KanikoBuild@1 step that
// task.json accepts. yaml-examples.test.ts checks the YAML examples of the docs.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { listContextEntries } from '../../tasks/KanikoBuildV1/src/context/files';
import { checkStep } from './task-json/step-checks';
import { readTaskJson } from './task-json/task-json';

const root = path.join(__dirname, '..', '..');
const sampleDir = path.join(root, 'samples', 'flask-app');
const pipelinePath = path.join(sampleDir, 'azure-pipelines', 'aks-build.yml');

interface PipelineStep {
  task?: string;
  name?: string;
  inputs?: Record<string, unknown>;
  env?: Record<string, unknown>;
  [key: string]: unknown;
}

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
    assert.deepEqual(checkStep(readTaskJson(), steps[0], 'aks-build.yml'), []);
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
