// Command-line front end of the task runner:
//   npx tsx tools/runner/cli.ts --task tasks/KanikoBuildV1 --run run.json [--node PATH] [--stage main|pre|post]
// run.json contains { "inputs", "endpoints", "variables", "secretVariables", "env", "sourcesDirectory" },
// each as in TaskRunOptions. Endpoint ids are GUIDs, as the agent's are. Relative paths in inputs
// start in the sources folder, a fresh empty one unless sourcesDirectory names one. The step's log
// is printed as it runs, then the result, the variables and any step summary. The exit code is 0
// when the step succeeded (with or without issues) and 1 otherwise.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runTask } from './run-task';
import type { TaskRunOptions, TaskStage } from './types';

const USAGE = 'Usage: tsx tools/runner/cli.ts --task DIR [--run FILE.json] [--node PATH] [--stage main|pre|post] [--timeout SECONDS]';

type RunFile = Pick<TaskRunOptions, 'inputs' | 'endpoints' | 'variables' | 'secretVariables' | 'env' | 'sourcesDirectory'>;

function readRunFile(path: string | undefined): RunFile {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunFile;
  } catch (error) {
    throw new Error(`Cannot read the run file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function parseStage(text: string | undefined): TaskStage {
  if (text === undefined || text === 'main' || text === 'pre' || text === 'post') return text ?? 'main';
  throw new Error(`Invalid --stage "${text}". Use main, pre or post.`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      task: { type: 'string' },
      run: { type: 'string' },
      node: { type: 'string' },
      stage: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.task) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    throw new Error(`Invalid --timeout "${values.timeout}". Give a number of seconds greater than 0.`);
  }

  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const result = await runTask({
    ...readRunFile(values.run),
    taskDir: resolve(values.task),
    nodePath: values.node,
    stage: parseStage(values.stage),
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    cancel: { signal: abort.signal },
    onLine: (line) => console.log(line),
  });

  console.log(`\nResult: ${result.result} (exit code ${result.exitCode ?? result.signal}, ${result.durationMs} ms, ${result.handler})`);
  for (const [name, variable] of Object.entries(result.variables)) {
    console.log(`Variable ${name} = ${variable.isSecret ? '***' : variable.value}${variable.isOutput ? ' (output)' : ''}`);
  }
  for (const summary of result.summaries) {
    console.log(`\nSummary ${summary.name}:\n${summary.content ?? '(the file could not be read)'}`);
  }
  return result.result === 'Succeeded' || result.result === 'SucceededWithIssues' ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(error.message);
    console.error(USAGE);
    process.exitCode = 2;
  },
);
