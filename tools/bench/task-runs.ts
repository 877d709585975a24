// Runs the bundled task (tasks/KanikoBuildV1/dist) on the sample app through the agent-like
// runner against the local cluster and Azurite, and times its start and its exit.
//
// The runner starts the task through a bash launcher that records, with bash's EPOCHREALTIME
// (microseconds), when it started and when Node.js exited. On the development machine bash
// records its start about 2 ms after the spawn, then starts Node.js. The first log line is
// timed when the runner receives it. The kaniko container's termination is the kubelet's record
// of it, in milliseconds. The local kubelet reports the terminated status 30 ms later (its step
// delay), so that time counts toward the exit figure.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AzuriteBlob } from '../azurite';
import type { LocalCluster } from '../local-cluster/index';
import { runTask, type EndpointSpec } from '../runner';
import { STAND_IN_REGISTRY, startLocalCluster } from '../stand-ins';
import type { TaskRunFigures } from './figures';

const ROOT = join(__dirname, '..', '..');
const TASK_DIR = join(ROOT, 'tasks', 'KanikoBuildV1');
const SAMPLE_APP = join(ROOT, 'samples', 'flask-app');
const CLUSTER_CONNECTION = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const REGISTRY_CONNECTION = '4d2e3f5a-6b7c-4d8e-9fa0-1b2c3d4e5f6a';

export interface TaskRunSetup {
  azurite: AzuriteBlob;
  runs: number;
  /** A folder for the launchers and their time records. */
  folder: string;
  log(line: string): void;
}

/** Runs the task `setup.runs` times on a fresh local cluster; rejects when a run does not succeed. */
export async function measureTaskRuns(setup: TaskRunSetup): Promise<TaskRunFigures> {
  const cluster = await startLocalCluster(setup.azurite);
  const figures: TaskRunFigures = { firstLineSeconds: [], exitSeconds: [] };
  try {
    for (let run = 1; run <= setup.runs; run += 1) {
      const { firstLine, exit } = await timeOneRun(cluster, setup, run);
      figures.firstLineSeconds.push(firstLine);
      figures.exitSeconds.push(exit);
      setup.log(`  task run ${run}/${setup.runs}: first log line after ${firstLine.toFixed(3)} s, exit ${exit.toFixed(3)} s after the pod ended`);
    }
  } finally {
    await cluster.stop();
  }
  return figures;
}

async function timeOneRun(cluster: LocalCluster, setup: TaskRunSetup, run: number): Promise<{ firstLine: number; exit: number }> {
  const namespace = `bench-${run}`;
  cluster.createNamespace(namespace);
  const timesFile = join(setup.folder, `times-${run}`);
  let firstLineAt: number | undefined;
  const result = await runTask({
    taskDir: TASK_DIR,
    nodePath: writeLauncher(setup.folder, run, timesFile),
    inputs: taskInputs(setup.azurite, namespace, run),
    endpoints: endpoints(cluster),
    secretVariables: { CONTEXT_STORAGE_KEY: setup.azurite.accountKey },
    variables: { 'Build.BuildId': String(run) },
    sourcesDirectory: SAMPLE_APP,
    timeoutMs: 120_000,
    onLine: (_line, stream) => {
      // The runner passes on the lines the agent would show: no logging commands, and issues
      // as `##[error]` or `##[warning]` lines.
      if (firstLineAt === undefined && stream === 'stdout') firstLineAt = Date.now();
    },
  });
  if (result.result !== 'Succeeded') {
    throw new Error(`Task run ${run} ended ${result.result}. Its last lines:\n${result.log.slice(-15).join('\n')}`);
  }

  const { startedAt, exitedAt } = await readLauncherTimes(timesFile);
  const finishedAt = cluster.runs.find((record) => record.namespace === namespace)?.finishedAt;
  if (firstLineAt === undefined || finishedAt === undefined) {
    throw new Error(`Task run ${run} printed no log line or left no pod termination time.`);
  }
  return { firstLine: (firstLineAt - startedAt) / 1000, exit: (exitedAt - finishedAt.getTime()) / 1000 };
}

function taskInputs(azurite: AzuriteBlob, namespace: string, run: number): Record<string, string> {
  return {
    kubernetesServiceConnection: CLUSTER_CONNECTION,
    namespace,
    containerRegistry: REGISTRY_CONNECTION,
    repository: 'samples/flask-app',
    tags: '$(Build.BuildId)',
    dockerfile: 'Dockerfile',
    storageAccount: azurite.accountName,
    storageContainer: `bench-run-${run}`,
    storageAccessKey: '$(CONTEXT_STORAGE_KEY)',
    storageBlobEndpoint: azurite.blobEndpoint,
  };
}

/** Reads the launcher's start and exit times, in milliseconds since the epoch. */
async function readLauncherTimes(timesFile: string): Promise<{ startedAt: number; exitedAt: number }> {
  const text = (await readFile(timesFile, 'utf8')).trim();
  // EPOCHREALTIME uses the locale's decimal separator, which may be a comma.
  const [startedAt, exitedAt] = text.split(' ').map((time) => Number(time.replace(',', '.')) * 1000);
  if (!(startedAt > 0 && exitedAt > 0)) throw new Error(`The launcher wrote invalid times to ${timesFile}: '${text}'.`);
  return { startedAt, exitedAt };
}

/**
 * Writes a bash launcher for the runner's `nodePath`. It runs `node -v` for `-v`, because the
 * runner reads the version to choose the task's handler.
 */
function writeLauncher(folder: string, run: number, timesFile: string): string {
  const launcher = join(folder, `node-timed-${run}`);
  const node = quote(process.execPath);
  writeFileSync(launcher, [
    '#!/bin/bash',
    `if [ "$1" = -v ] || [ "$1" = --version ]; then exec ${node} "$@"; fi`,
    'started=$EPOCHREALTIME',
    `${node} "$@"`,
    'status=$?',
    `echo "$started $EPOCHREALTIME" > ${quote(timesFile)}`,
    'exit $status',
    '',
  ].join('\n'), { mode: 0o755 });
  return launcher;
}

/** Quotes a string for bash. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function endpoints(cluster: LocalCluster): Record<string, EndpointSpec> {
  return {
    [CLUSTER_CONNECTION]: {
      url: cluster.url, scheme: 'Kubeconfig', parameters: { kubeconfig: cluster.kubeconfig() }, data: { authorizationType: 'Kubeconfig' },
    },
    [REGISTRY_CONNECTION]: {
      url: `https://${STAND_IN_REGISTRY.host}`,
      scheme: 'UsernamePassword',
      parameters: { registry: `https://${STAND_IN_REGISTRY.host}`, username: STAND_IN_REGISTRY.username, password: STAND_IN_REGISTRY.password },
    },
  };
}
