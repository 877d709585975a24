// Runs the built task once on the sample app against the local stand-ins, as `npm start` does,
// and returns what a pipeline user sees of the run: the step's log lines, its result, output
// variables and summaries. The sample is copied into an agent-like sources folder
// (`<temp>/_work/1/s`), so the log shows agent paths rather than this checkout's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { startAzurite } from '../azurite';
import { runTask } from '../runner';
import type { TaskSummary } from '../runner/types';
import { standInEndpoints, startLocalCluster } from '../stand-ins';

const ROOT = path.resolve(__dirname, '..', '..');
const TASK_DIR = path.join(ROOT, 'tasks', 'KanikoBuildV1');
const SAMPLE = 'samples/flask-app';
const PIPELINE = path.join(ROOT, SAMPLE, 'azure-pipelines', 'aks-build.yml');
const CLUSTER_CONNECTION_ID = '5d0c1f7e-8a3b-4c6d-9e2f-7a1b3c5d7e9f';
const REGISTRY_CONNECTION_ID = '6e1d2a8f-9b4c-4d7e-8f3a-8b2c4d6e8fa0';
const BUILD_NUMBER = '20261204.1';

export interface CapturedRun {
  /** displayName of the sample's KanikoBuild@1 step. */
  stepName: string;
  /** `name` of the step, through which later steps read its output variables. */
  stepReference: string;
  /** Build.BuildNumber of the run. */
  buildNumber: string;
  result: string;
  /** Lines as the agent shows them, with `##[group]` and `##[endgroup]` markers kept. */
  log: string[];
  outputVariables: Record<string, string>;
  summaries: TaskSummary[];
}

interface SampleStep {
  task?: string;
  name?: string;
  displayName?: string;
  inputs?: Record<string, string | number | boolean>;
}

function readSampleStep(): { step: SampleStep; variables: Record<string, string> } {
  const pipeline = parse(fs.readFileSync(PIPELINE, 'utf8')) as { steps?: SampleStep[]; variables?: Record<string, string> };
  const step = pipeline.steps?.find((candidate) => candidate.task === 'KanikoBuild@1');
  if (!step?.inputs) throw new Error(`${PIPELINE} has no KanikoBuild@1 step with inputs.`);
  return { step, variables: pipeline.variables ?? {} };
}

/** Runs the sample step and returns its log and results. Needs `npm run build` first. */
export async function captureSampleRun(): Promise<CapturedRun> {
  if (!fs.existsSync(path.join(TASK_DIR, 'dist', 'index.js'))) {
    throw new Error(`${path.join(TASK_DIR, 'dist', 'index.js')} is missing. Run \`npm run build\` first.`);
  }
  const { step, variables } = readSampleStep();
  const inputs = Object.fromEntries(Object.entries(step.inputs ?? {}).map(([name, value]) => [name, String(value)]));

  const agentRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-'));
  const sourcesDirectory = path.join(agentRoot, '_work', '1', 's');
  fs.cpSync(path.join(ROOT, SAMPLE), path.join(sourcesDirectory, SAMPLE), { recursive: true });

  const azurite = await startAzurite();
  const cluster = await startLocalCluster(azurite).catch(async (error: unknown) => {
    await azurite.stop();
    throw error;
  });
  try {
    if (inputs.namespace && inputs.namespace !== 'default') cluster.createNamespace(inputs.namespace);
    const endpoints = standInEndpoints(cluster, { cluster: CLUSTER_CONNECTION_ID, registry: REGISTRY_CONNECTION_ID });
    const result = await runTask({
      taskDir: TASK_DIR,
      inputs: {
        ...inputs,
        kubernetesServiceConnection: CLUSTER_CONNECTION_ID,
        containerRegistry: REGISTRY_CONNECTION_ID,
        storageBlobEndpoint: azurite.blobEndpoint,
      },
      endpoints,
      variables: { ...variables, storageAccount: azurite.accountName, 'Build.BuildId': '1', 'Build.BuildNumber': BUILD_NUMBER },
      secretVariables: { CONTEXT_STORAGE_KEY: azurite.accountKey },
      sourcesDirectory,
      timeoutMs: 10 * 60_000,
    });
    return {
      stepName: step.displayName ?? step.name ?? 'KanikoBuild@1',
      stepReference: step.name ?? 'KanikoBuild1',
      buildNumber: BUILD_NUMBER,
      result: result.result,
      log: result.log,
      outputVariables: Object.fromEntries(Object.entries(result.variables).map(([name, variable]) => [name, variable.value])),
      summaries: result.summaries,
    };
  } finally {
    await cluster.stop();
    await azurite.stop();
    fs.rmSync(agentRoot, { recursive: true, force: true });
  }
}
