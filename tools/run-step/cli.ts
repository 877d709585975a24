// `npm run run-step -- PIPELINE.yml ...`: runs a pipeline file's KanikoBuild@1 step from a
// workstation, with the step's own inputs, against a real cluster, registry and storage account.
// It runs the built task (tasks/KanikoBuildV1/dist) through the agent-like runner as the agent
// would, then the task's post-job step, and prints the log, the result, the output variables
// and the summary. Secrets come from files and environment variables, never from arguments.
// Exit code: 0 when the step succeeded, 1 when it failed, 2 when the request was invalid.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runTask } from '../runner/run-task';
import type { TaskRunResult } from '../runner/types';
import { StepInputError } from './errors';
import { prepareStep, type PreparedStep } from './prepare';

const USAGE = `Usage: npm run run-step -- PIPELINE.yml [options]

Runs a KanikoBuild@1 step of PIPELINE.yml with its inputs, as the Azure Pipelines agent would.

  --step NAME|NUMBER      the step's name:, displayName: or number from 1 among the file's
                          KanikoBuild@1 steps; needed when the file has more than one
  --connections FILE      YAML or JSON file that maps service connection names to local credentials
  --kubeconfig PATH       kubeconfig for the step's Kubernetes connection
  --kube-context NAME     context of that kubeconfig; default its current context
  --docker-config PATH    Docker config.json with the credentials of the step's push registry
  --variable NAME=VALUE   a pipeline variable; repeatable. Secrets go in environment variables
  --secret NAME           mask the variable NAME, which must come from the environment; repeatable
  --input NAME=VALUE      replace one of the step's inputs; repeatable
  --sources DIR           the sources folder that relative paths start from; default the Git
                          repository that contains PIPELINE.yml, else the current folder
  --node PATH             the Node.js binary that runs the task; default this one
  --timeout MINUTES       cancel the step after this many minutes, as the step's timeoutInMinutes
  --no-post               skip the post-job step, which deletes what a killed run left behind
  --help                  show this text`;

interface CommandLine {
  request: Parameters<typeof prepareStep>[0];
  nodePath?: string;
  timeoutMs?: number;
  post: boolean;
}

function parseCommandLine(args: string[]): CommandLine | undefined {
  let parsed;
  try {
    parsed = parseOptions(args);
  } catch (error) {
    // parseArgs rejects unknown options and missing values with a TypeError.
    throw new StepInputError((error as Error).message, { cause: error });
  }
  return toCommandLine(parsed);
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      step: { type: 'string' },
      connections: { type: 'string' },
      kubeconfig: { type: 'string' },
      'kube-context': { type: 'string' },
      'docker-config': { type: 'string' },
      variable: { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      input: { type: 'string', multiple: true },
      sources: { type: 'string' },
      node: { type: 'string' },
      timeout: { type: 'string' },
      'no-post': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
}

function toCommandLine({ values, positionals }: ReturnType<typeof parseOptions>): CommandLine | undefined {
  if (values.help) return undefined;
  if (positionals.length !== 1) {
    throw new StepInputError(`Expected one pipeline file, got ${positionals.length} (${positionals.join(' ') || 'none'}), such as: npm run run-step -- azure-pipelines.yml`);
  }
  const pipelineFile = resolve(positionals[0]);
  const timeoutMinutes = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMinutes !== undefined && !(timeoutMinutes > 0)) throw new StepInputError(`Invalid --timeout "${values.timeout}": give the minutes as a number greater than 0.`);
  return {
    request: {
      pipelineFile,
      step: values.step,
      connectionsFile: values.connections === undefined ? undefined : resolvePath(values.connections),
      flags: {
        kubeconfig: values.kubeconfig === undefined ? undefined : resolvePath(values.kubeconfig),
        kubeContext: values['kube-context'],
        dockerConfig: values['docker-config'] === undefined ? undefined : resolvePath(values['docker-config']),
      },
      variables: pairs(values.variable ?? [], '--variable'),
      inputs: pairs(values.input ?? [], '--input'),
      secretNames: values.secret ?? [],
      sourcesDirectory: values.sources === undefined ? sourcesFolder(pipelineFile) : resolvePath(values.sources),
      environment: process.env,
    },
    nodePath: values.node,
    timeoutMs: timeoutMinutes === undefined ? undefined : timeoutMinutes * 60_000,
    post: !values['no-post'],
  };
}

function pairs(items: string[], flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of items) {
    const equals = item.indexOf('=');
    if (equals <= 0) throw new StepInputError(`Invalid ${flag} "${item}": write NAME=VALUE.`);
    result[item.slice(0, equals).trim()] = item.slice(equals + 1);
  }
  return result;
}

function resolvePath(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : resolve(path);
}

/** Returns the Git work tree that contains the file, as the agent's sources folder, else the current folder. */
function sourcesFolder(file: string): string {
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    if (existsSync(join(folder, '.git'))) return folder;
    if (dirname(folder) === folder) return process.cwd();
  }
}

async function runStep(command: CommandLine, prepared: PreparedStep, signal: AbortSignal): Promise<TaskRunResult> {
  const { step, options } = prepared;
  const label = [step.name, step.displayName].filter(Boolean).join(', ') || `step ${step.position}`;
  console.log(`Running the KanikoBuild@1 step ${label} (${step.location}) of ${command.request.pipelineFile}`);
  console.log(`with the sources in ${options.sourcesDirectory}.\n`);
  // The agent gives the post-job step the same instance id as the step itself.
  const base = { ...options, nodePath: command.nodePath, instanceId: randomUUID(), cancel: { signal }, onLine: (line: string) => console.log(line) };
  const main = await runTask({ ...base, timeoutMs: command.timeoutMs });
  if (command.post) {
    console.log('\nPost-job step:');
    const post = await runTask({ ...base, stage: 'post', taskVariables: main.taskVariables });
    if (post.result !== 'Succeeded') console.log(`The post-job step ended with ${post.result}.`);
  }
  return main;
}

function printOutcome(result: TaskRunResult): void {
  console.log(`\nResult: ${result.result} (${(result.durationMs / 1000).toFixed(1)} s)`);
  for (const [name, variable] of Object.entries(result.variables)) {
    console.log(`Output variable ${name} = ${variable.isSecret ? '***' : variable.value}`);
  }
  for (const summary of result.summaries) {
    console.log(`\nSummary "${summary.name}":\n${summary.content ?? '(the file could not be read)'}`);
  }
}

async function main(): Promise<number> {
  const command = parseCommandLine(process.argv.slice(2));
  if (!command) {
    console.log(USAGE);
    return 0;
  }
  const prepared = prepareStep(command.request);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const result = await runStep(command, prepared, abort.signal);
  printOutcome(result);
  return result.result === 'Succeeded' || result.result === 'SucceededWithIssues' ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  if (error instanceof StepInputError) console.error('\nRun with --help for the options.');
  process.exitCode = 2;
});
