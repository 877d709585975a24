// Runs one scenario of the matrix through the agent-like runner and checks what it left.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTask, type EndpointSpec, type TaskRunResult } from '../runner';
import { STAND_IN_REGISTRY } from '../stand-ins';
import { checkLog, checkOutcome, findLeftovers, findSecrets, type LogCheck } from './checks';
import type { SuiteEnvironment } from './environment';
import { startInterference } from './interference';
import type { Scenario } from './matrix';

const TASK_DIR = path.resolve(__dirname, '..', '..', 'tasks', 'KanikoBuildV1');
const CLUSTER_CONNECTION = '3f1c2e4d-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const REGISTRY_CONNECTION = '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d';
/** The agent's timeoutInMinutes for one run; the matrix's slowest runs take about a minute. */
const STEP_TIMEOUT_MS = 180_000;

export interface RunReport {
  scenario: Scenario;
  result: string;
  /** The problems that make the run wrong; empty when it is right. */
  problems: string[];
  leaked: string[];
  log: LogCheck;
  secretsSeen: number;
  /** Time from the cancel to the end of the task process. */
  cancelToExitMs?: number;
  durationMs: number;
}

export interface RunOptions {
  /** Node.js binary that runs the task; default this process's. */
  nodePath?: string;
  /** Prints each log line of the run, for debugging one scenario. */
  echo?: boolean;
}

export async function runScenario(environment: SuiteEnvironment, scenario: Scenario, options: RunOptions = {}): Promise<RunReport> {
  const sources = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-sources-'));
  for (const [name, text] of Object.entries({ 'app.txt': 'hello\n', ...scenario.files })) {
    fs.writeFileSync(path.join(sources, name), text);
  }
  const jobId = jobIdOf(scenario.index);
  const container = `reliability-${scenario.index}`;
  const cancel = new AbortController();
  let cancelledAt: number | undefined;
  const cancelNow = (): void => {
    if (cancelledAt !== undefined) return;
    cancelledAt = Date.now();
    cancel.abort();
  };
  const cancelTimer = scenario.cancel?.afterMs === undefined ? undefined : setTimeout(cancelNow, scenario.cancel.afterMs);
  const interference = await startInterference(environment, scenario, container);
  const started = Date.now();
  let run: TaskRunResult;
  try {
    run = await runTask({
      taskDir: TASK_DIR,
      inputs: { ...defaultInputs(environment, container), ...scenario.inputs },
      endpoints: endpoints(environment, scenario),
      secretVariables: { CONTEXT_STORAGE_KEY: environment.azurite.accountKey },
      variables: { 'Build.BuildId': String(scenario.index), 'System.JobId': jobId },
      sourcesDirectory: sources,
      nodePath: options.nodePath,
      cancel: { signal: cancel.signal },
      timeoutMs: STEP_TIMEOUT_MS,
      onLine: (line) => {
        if (options.echo) console.log(`  ${scenario.index} | ${line}`);
        if (scenario.cancel?.whenLine?.test(line)) cancelNow();
        interference.onLine(line);
      },
    });
  } finally {
    clearTimeout(cancelTimer);
    interference.stop();
    fs.rmSync(sources, { recursive: true, force: true });
  }
  const ended = Date.now();

  const leaked = await findLeftovers(environment, { jobId, runPrefix: `kaniko-${scenario.index}-`, container });
  const log = checkLog(run, scenario);
  const secretsSeen = findSecrets(run, [environment.azurite.accountKey, STAND_IN_REGISTRY.password, environment.taskToken,
    ...(scenario.registryPassword ? [scenario.registryPassword] : []), ...interference.secretsSeenInCluster()]);
  const cancelToExitMs = cancelledAt === undefined ? undefined : ended - cancelledAt;
  const problems = [
    ...checkOutcome(run, scenario, environment, cancelledAt !== undefined),
    ...(leaked.length ? [`left behind: ${leaked.join(', ')}`] : []),
    ...log.problems,
    ...(secretsSeen ? [`${secretsSeen} secret value(s) in the output`] : []),
  ];
  return { scenario, result: run.result, problems, leaked, log, secretsSeen, cancelToExitMs, durationMs: ended - started };
}

/** Returns a job id, a GUID as System.JobId is, that is unique to the run. */
function jobIdOf(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

function defaultInputs(environment: SuiteEnvironment, container: string): Record<string, string> {
  return {
    kubernetesServiceConnection: CLUSTER_CONNECTION,
    namespace: environment.namespace,
    containerRegistry: REGISTRY_CONNECTION,
    repository: 'reliability/app',
    tags: '$(Build.BuildId)',
    dockerfile: 'Dockerfile',
    storageAccount: environment.azurite.accountName,
    storageContainer: container,
    storageAccessKey: '$(CONTEXT_STORAGE_KEY)',
    storageBlobEndpoint: environment.azurite.blobEndpoint,
  };
}

function endpoints(environment: SuiteEnvironment, scenario: Scenario): Record<string, EndpointSpec> {
  const registry = `https://${STAND_IN_REGISTRY.host}`;
  return {
    [CLUSTER_CONNECTION]: {
      url: environment.cluster.url,
      scheme: 'Kubeconfig',
      parameters: { kubeconfig: environment.cluster.kubeconfig({ token: environment.taskToken }) },
      data: { authorizationType: 'Kubeconfig' },
    },
    [REGISTRY_CONNECTION]: {
      url: registry,
      scheme: 'UsernamePassword',
      parameters: {
        registry, username: STAND_IN_REGISTRY.username, password: scenario.registryPassword ?? STAND_IN_REGISTRY.password,
      },
    },
  };
}
