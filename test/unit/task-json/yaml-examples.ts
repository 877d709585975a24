// Finds the YAML examples that use the task, in the docs and the sample pipeline, and checks
// each of their task steps.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { fencedBlocks } from './markdown';
import { checkStep, findTaskSteps } from './step-checks';
import type { TaskJson } from './task-json';

export interface YamlExample {
  /** The file, relative to the repository root, and the line where the YAML starts, such as `overview.md:140`. */
  where: string;
  text: string;
}

/** The pipeline files that are examples as a whole. */
const PIPELINE_FILES = ['samples/flask-app/azure-pipelines/aks-build.yml'];

/** Returns the Markdown files whose examples users read: those at the root, under docs/ and under samples/. */
export function documentationFiles(root: string): string[] {
  const files = fs.readdirSync(root).filter((name) => name.endsWith('.md'));
  for (const folder of ['docs', 'samples']) {
    for (const name of fs.readdirSync(path.join(root, folder), { recursive: true }) as string[]) {
      if (name.endsWith('.md') && !name.split(path.sep).includes('node_modules')) files.push(path.posix.join(folder, ...name.split(path.sep)));
    }
  }
  return files.sort();
}

/** Returns the fenced `yaml` blocks of a Markdown text that mention `Name@`, such as `KanikoBuild@1`. */
export function markdownExamples(markdown: string, file: string, taskName: string): YamlExample[] {
  return fencedBlocks(markdown)
    .filter((block) => /^ya?ml$/i.test(block.language) && block.body.includes(`${taskName}@`))
    .map((block) => ({ where: `${file}:${block.line}`, text: block.body }));
}

/** Returns every example of the task in the documentation files and the sample pipelines. */
export function findYamlExamples(root: string, taskName: string): YamlExample[] {
  const examples: YamlExample[] = [];
  for (const file of documentationFiles(root)) {
    examples.push(...markdownExamples(fs.readFileSync(path.join(root, file), 'utf8'), file, taskName));
  }
  for (const file of PIPELINE_FILES) examples.push({ where: `${file}:1`, text: fs.readFileSync(path.join(root, file), 'utf8') });
  return examples;
}

/** Checks every step of the task in one example; an example in which no such step parses is a problem too. */
export function checkExample(task: TaskJson, example: YamlExample): string[] {
  let document: unknown;
  try {
    document = parse(example.text);
  } catch (error) {
    return [`${example.where}: the YAML does not parse: ${(error as Error).message}`];
  }
  const steps = findTaskSteps(document, task.name);
  if (steps.length === 0) return [`${example.where}: no step has task: ${task.name}@${task.version.Major}`];
  return steps.flatMap((step, index) => checkStep(task, step, steps.length > 1 ? `${example.where} (step ${index + 1})` : example.where));
}
