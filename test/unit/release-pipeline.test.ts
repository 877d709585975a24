// Checks the structure of azure-pipelines.yml, the extension's release pipeline. It must test with
// the README's commands, keep the .vsix as an artifact, and publish only from main with a token
// that reaches the publish step through its environment alone.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.join(__dirname, '..', '..');
const TOKEN_VARIABLE = 'MARKETPLACE_TOKEN';
const TOKEN_MACRO = `$(${TOKEN_VARIABLE})`;

interface Step {
  task?: string;
  script?: string;
  bash?: string;
  publish?: string;
  download?: string;
  artifact?: string;
  inputs?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  job: string;
  condition?: string;
  steps: Step[];
}

interface Stage {
  stage: string;
  dependsOn?: string | string[];
  condition?: string;
  jobs: Job[];
}

interface Pipeline {
  trigger?: unknown;
  variables?: unknown;
  stages: Stage[];
}

const pipelineText = fs.readFileSync(path.join(root, 'azure-pipelines.yml'), 'utf8');
const pipeline = parse(pipelineText) as Pipeline;

function findStage(name: string): Stage {
  const stage = pipeline.stages.find((candidate) => candidate.stage === name);
  assert.ok(stage, `azure-pipelines.yml has no stage ${name}`);
  return stage;
}

function scriptOf(step: Step): string {
  return step.script ?? step.bash ?? '';
}

function scriptLines(steps: Step[]): string[] {
  return steps.flatMap((step) => scriptOf(step).split('\n')).map((line) => line.trim());
}

/** Returns the lines of the shell code blocks in README.md's "Run the tests" section. */
function readmeTestCommands(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Run the tests'));
  assert.ok(section, 'README.md has no "Run the tests" section');
  const blocks = [...section.split(/^### /m)[0].matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
  return blocks.flatMap((block) => block.split('\n')).map((line) => line.trim()).filter(Boolean);
}

/** Calls `visit` with the path and value of every string in a parsed YAML document. */
function walkStrings(value: unknown, visit: (where: string, text: string) => void, where = ''): void {
  if (typeof value === 'string') {
    visit(where, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => walkStrings(item, visit, `${where}[${index}]`));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walkStrings(item, visit, `${where}.${key}`);
  }
}

describe('azure-pipelines.yml', () => {
  const buildJobs = findStage('Build').jobs;
  const buildSteps = buildJobs.flatMap((job) => job.steps);
  const publishStage = findStage('Publish');
  const publishJobs = publishStage.jobs;

  it('has a test and a publish job', () => {
    assert.equal(buildJobs.length, 1, 'the Build stage should have one job');
    assert.equal(publishJobs.length, 1, 'the Publish stage should have one job');
  });

  it('installs Node.js 20 in every job', () => {
    for (const job of [...buildJobs, ...publishJobs]) {
      const useNode = job.steps.find((step) => step.task === 'UseNode@1');
      assert.ok(useNode, `job ${job.job} has no UseNode@1 step`);
      assert.match(String(useNode.inputs?.version), /^20(\.|$)/, `job ${job.job} installs Node.js ${useNode.inputs?.version}`);
    }
  });

  it("runs the README's test commands", () => {
    const lines = scriptLines(buildSteps);
    const commands = readmeTestCommands();
    assert.ok(commands.includes('npm test'), `README.md's test commands lack npm test: ${commands.join(' | ')}`);
    for (const command of commands) {
      const runs = lines.some((line) => line === command || line.startsWith(`${command} `));
      assert.ok(runs, `no step of the Build stage runs the README command: ${command}`);
    }
  });

  it('installs dependencies before the tests', () => {
    const lines = scriptLines(buildSteps);
    const install = lines.findIndex((line) => line.startsWith('npm ci '));
    const test = lines.indexOf('npm test');
    assert.ok(install >= 0, 'no step runs npm ci');
    assert.ok(install < test, 'npm ci runs after npm test');
  });

  it('packages the extension after the tests', () => {
    const lines = scriptLines(buildSteps);
    const packaging = lines.findIndex((line) => line.startsWith('node tools/package.mjs '));
    assert.ok(packaging > lines.indexOf('npm test'), 'tools/package.mjs does not run after npm test');
    assert.match(lines[packaging], /--output-path "\$\(Build\.ArtifactStagingDirectory\)\/vsix"/);
    assert.ok(!/--publisher/.test(lines[packaging]), 'the publisher should come from the EXTENSION_PUBLISHER variable');
  });

  it('publishes the .vsix as an artifact', () => {
    const publish = buildSteps.find((step) => step.publish !== undefined);
    assert.ok(publish, 'the Build stage has no publish step');
    assert.equal(publish.publish, '$(Build.ArtifactStagingDirectory)/vsix');
    assert.equal(publish.artifact, 'vsix');

    const download = publishJobs[0].steps.find((step) => step.download !== undefined);
    assert.ok(download, 'the publish job does not download the artifact');
    assert.equal(download.download, 'current');
    assert.equal(download.artifact, 'vsix');
  });

  it('publishes only from main with a token', () => {
    assert.equal(publishStage.dependsOn, 'Build');
    const condition = publishJobs[0].condition ?? '';
    assert.match(condition, /^and\(/, `the publish job's condition is not a conjunction: ${condition}`);
    assert.ok(condition.includes('succeeded()'), `the condition lacks succeeded(): ${condition}`);
    assert.ok(condition.includes("eq(variables['Build.SourceBranch'], 'refs/heads/main')"), `the condition lacks the main branch: ${condition}`);
    assert.ok(condition.includes(`ne(variables['${TOKEN_VARIABLE}'], '')`), `the condition lacks the token variable: ${condition}`);
    assert.equal(buildJobs[0].condition, undefined, 'the Build job should run for every trigger');
  });

  it('publishes through tools/publish.mjs', () => {
    const publishStep = publishJobs[0].steps.find((step) => scriptOf(step).includes('node tools/publish.mjs'));
    assert.ok(publishStep, 'no step of the publish job runs tools/publish.mjs');
    for (const line of scriptLines([...buildSteps, ...publishJobs[0].steps])) {
      assert.ok(!/\btfx\b.*\s(--token|-t)\b/.test(line), `a step passes a token to tfx as an argument: ${line}`);
    }
  });

  it('maps the token only into the publish step environment', () => {
    const places: string[] = [];
    walkStrings(pipeline, (where, text) => {
      if (text.includes(TOKEN_VARIABLE)) places.push(`${where}: ${text.split('\n')[0]}`);
    });
    const publishIndex = publishJobs[0].steps.findIndex((step) => scriptOf(step).includes('node tools/publish.mjs'));
    const envPlace = `.stages[1].jobs[0].steps[${publishIndex}].env.${TOKEN_VARIABLE}: ${TOKEN_MACRO}`;
    const conditionPlace = `.stages[1].jobs[0].condition: ${publishJobs[0].condition}`;
    assert.deepEqual(places.sort(), [conditionPlace, envPlace].sort());
  });

  it('contains no token value', () => {
    // A secret variable is set in the pipeline's settings, never in the YAML file.
    assert.equal(pipeline.variables, undefined, 'azure-pipelines.yml defines variables');
    const macroCount = pipelineText.split(TOKEN_MACRO).length - 1;
    assert.equal(macroCount, 1, `${TOKEN_MACRO} appears ${macroCount} times; only the env mapping may use it`);
    // A pasted personal access token would show as a long run of letters and digits.
    walkStrings(pipeline, (where, text) => {
      assert.ok(!/\b[A-Za-z0-9]{52,}\b/.test(text), `${where} contains a string that looks like a token`);
    });
  });
});
