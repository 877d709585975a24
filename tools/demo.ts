// `npm start`: runs the packaged task on the sample app against the local stand-ins, the way
// the Azure Pipelines agent would run the sample pipeline's KanikoBuild@1 step.
//
// It unpacks the task from the newest out/*.vsix and reads the step's inputs from
// samples/flask-app/azure-pipelines/aks-build.yml. It maps the pipeline's service connections
// and variables to the stand-ins, runs the task and prints its log and result. Then it checks
// that nothing was left in the cluster or in storage. Exit code 0 means the build succeeded
// and left nothing behind.
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import JSZip from 'jszip';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { isKeptContextBlob } from '../tasks/KanikoBuildV1/src/plan/names';
import { startAzurite, type AzuriteBlob } from './azurite';
import type { LocalCluster } from './local-cluster/index';
import { runTask } from './runner';
import { standInEndpoints, startLocalCluster } from './stand-ins';

const ROOT = path.resolve(__dirname, '..');
const PIPELINE = path.join(ROOT, 'samples', 'flask-app', 'azure-pipelines', 'aks-build.yml');
const TASK_FOLDER = 'tasks/KanikoBuildV1/';
const CLUSTER_CONNECTION_ID = '0f6a3c1e-2b4d-4e8f-9a1b-3c5d7e9f1a2b';
const REGISTRY_CONNECTION_ID = '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d';

interface PipelineStep {
  task?: string;
  inputs?: Record<string, string | number | boolean>;
}

async function main(): Promise<number> {
  const taskDir = await unpackTask(newestVsix());
  const { inputs, variables } = readPipelineStep();
  const azurite = await startAzurite();
  let cluster: LocalCluster | undefined;
  try {
    cluster = await startLocalCluster(azurite);
    return await runSample(taskDir, inputs, variables, azurite, cluster);
  } finally {
    await cluster?.stop();
    await azurite.stop();
    fs.rmSync(taskDir, { recursive: true, force: true });
  }
}

async function runSample(
  taskDir: string, inputs: Record<string, string>, variables: Record<string, string>, azurite: AzuriteBlob,
  cluster: LocalCluster,
): Promise<number> {
  const namespace = inputs.namespace || 'default';
  if (namespace !== 'default') cluster.createNamespace(namespace);
  // The local stand-ins replace the pipeline's connections and storage account.
  const localInputs = {
    ...inputs,
    kubernetesServiceConnection: CLUSTER_CONNECTION_ID,
    containerRegistry: REGISTRY_CONNECTION_ID,
    storageBlobEndpoint: azurite.blobEndpoint,
  };
  const endpoints = standInEndpoints(cluster, { cluster: CLUSTER_CONNECTION_ID, registry: REGISTRY_CONNECTION_ID });
  console.log(`Running ${taskDir} on Node.js ${process.version} against the local cluster ${cluster.url} and Azurite ${azurite.blobEndpoint}.\n`);
  const result = await runTask({
    taskDir,
    inputs: localInputs,
    endpoints,
    variables: { ...variables, storageAccount: azurite.accountName, 'Build.BuildId': '1', 'Build.BuildNumber': '20261204.1' },
    secretVariables: { CONTEXT_STORAGE_KEY: azurite.accountKey },
    sourcesDirectory: ROOT,
    onLine: (line) => console.log(`  ${line}`),
    timeoutMs: 10 * 60_000,
  });

  console.log(`\nResult: ${result.result}`);
  for (const issue of result.issues) console.log(`${issue.type}: ${issue.message}`);
  for (const [name, variable] of Object.entries(result.variables)) console.log(`Output variable ${name} = ${variable.value}`);
  const record = cluster.runs.at(-1);
  if (record) console.log(`The build pod ${record.namespace}/${record.name} saw these context files: ${record.contextFiles.join(', ')}`);
  const leftovers = await findLeftovers(cluster, namespace, azurite, inputs.storageContainer);
  console.log(leftovers.length ? `Left behind: ${leftovers.join(', ')}` : 'Nothing was left in the cluster or in storage but the context archive, which stays for reruns.');
  return result.result === 'Succeeded' && leftovers.length === 0 ? 0 : 1;
}

function newestVsix(): string {
  const out = path.join(ROOT, 'out');
  const files = fs.existsSync(out) ? fs.readdirSync(out).filter((name) => name.endsWith('.vsix')) : [];
  if (files.length === 0) throw new Error('No .vsix in out/. Run `npm run package` first (npm start does).');
  return files.map((name) => path.join(out, name)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** Extracts the task folder from the .vsix into a temporary folder, so that the packaged files run. */
async function unpackTask(vsix: string): Promise<string> {
  const zip = await JSZip.loadAsync(fs.readFileSync(vsix));
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'kaniko-task-'));
  for (const [name, entry] of Object.entries(zip.files)) {
    if (entry.dir || !name.startsWith(TASK_FOLDER)) continue;
    const file = path.join(target, name.slice(TASK_FOLDER.length));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await entry.async('nodebuffer'));
  }
  console.log(`Unpacked the task from ${path.relative(ROOT, vsix)}.`);
  return target;
}

function readPipelineStep(): { inputs: Record<string, string>; variables: Record<string, string> } {
  const pipeline = parse(fs.readFileSync(PIPELINE, 'utf8')) as { steps?: PipelineStep[]; variables?: Record<string, string> };
  const step = pipeline.steps?.find((candidate) => candidate.task === 'KanikoBuild@1');
  if (!step?.inputs) throw new Error(`${PIPELINE} has no KanikoBuild@1 step with inputs.`);
  const inputs = Object.fromEntries(Object.entries(step.inputs).map(([name, value]) => [name, String(value)]));
  return { inputs, variables: pipeline.variables ?? {} };
}

async function findLeftovers(cluster: LocalCluster, namespace: string, azurite: AzuriteBlob, container?: string): Promise<string[]> {
  const objects = [...cluster.listObjects('pods', namespace), ...cluster.listObjects('secrets', namespace)]
    .map((object) => `${object.kind ?? 'object'} ${object.metadata?.name ?? ''}`);
  if (!container) return objects;
  const service = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
  const containerClient = service.getContainerClient(container);
  if (await containerClient.exists()) {
    // Kept context archives stay for reruns on purpose.
    for await (const blob of containerClient.listBlobsFlat()) {
      if (!isKeptContextBlob(blob.name)) objects.push(`blob ${container}/${blob.name}`);
    }
  }
  return objects;
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
