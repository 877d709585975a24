// The checks of one run: the outcome, what it left behind, its log lines and its output's secrets.
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { setTimeout as delay } from 'node:timers/promises';
import { isKeptContextBlob } from '../../tasks/KanikoBuildV1/src/plan/names';
import type { TaskRunResult } from '../runner';
import type { SuiteEnvironment } from './environment';
import type { Scenario } from './matrix';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const JOB_LABEL = 'kaniko-build-on-aks/job-id';
/** Deleted pods stay until the kubelet stops them (the task deletes with a 2 s grace period). */
const SETTLE_MS = 15_000;
const POLL_MS = 250;

/** Returns why the run's result is wrong, or nothing. */
export function checkOutcome(run: TaskRunResult, scenario: Scenario, environment: SuiteEnvironment, cancelled: boolean): string[] {
  const { expect } = scenario;
  const errors = run.issues.filter((issue) => issue.type === 'error').map((issue) => issue.message).join('\n');
  if (expect.result === 'Canceled') {
    if (!cancelled) return [`the cancel trigger (${scenario.cancel?.phase}) never fired; the run ended ${run.result}`];
    const problems = run.result === 'Canceled' ? [] : [`expected Canceled, got ${run.result}`];
    if (run.signalsSent.join() !== 'SIGINT') problems.push(`the task needed ${run.signalsSent.join(', ')} to stop`);
    return problems;
  }
  if (run.result !== expect.result) return [`expected ${expect.result}, got ${run.result}: ${firstLine(errors)}`];
  if (expect.result === 'Failed') {
    return expect.message && !expect.message.test(errors) ? [`the error does not match ${expect.message}: ${firstLine(errors)}`] : [];
  }
  const digest = run.variables.imageDigest?.value ?? '';
  if (!DIGEST.test(digest)) return [`imageDigest is ${JSON.stringify(digest)}`];
  const pushed = environment.cluster.runs.some((record) => record.digest === digest && record.name.startsWith(`kaniko-${scenario.index}-`));
  return pushed ? [] : [`no pod of the run pushed ${digest}`];
}

export interface LogCheck {
  /** Marker lines the log should show. */
  expected: number;
  lost: number;
  duplicated: number;
  /** Marker lines shown after a later one. */
  outOfOrder: number;
  /** Lines that contain a marker but are not one whole marker line, such as a line cut in two. */
  garbled: number;
  problems: string[];
}

/**
 * Counts the marker lines of the run's build log group: each must appear there once, whole
 * and in order. The failure message repeats the last lines, so only the group counts.
 */
export function checkLog(run: TaskRunResult, scenario: Scenario): LogCheck {
  const lines = run.groups.filter((group) => group.name.startsWith('kaniko build log')).flatMap((group) => group.lines);
  const known = new Map(scenario.markers.map((marker, index) => [marker, index]));
  const counts = new Map<string, number>();
  let last = -1;
  let outOfOrder = 0;
  let garbled = 0;
  for (const line of lines) {
    const index = known.get(line);
    if (index === undefined) {
      if (isMarkerPiece(line, scenario.markers)) garbled += 1;
      continue;
    }
    counts.set(line, (counts.get(line) ?? 0) + 1);
    if (index < last) outOfOrder += 1;
    last = Math.max(last, index);
  }
  const duplicated = [...counts.values()].reduce((sum, count) => sum + count - 1, 0);
  const expected = scenario.expect.completeLog ? scenario.markers.length : 0;
  const lost = scenario.expect.completeLog ? scenario.markers.filter((marker) => !counts.has(marker)).length : 0;
  const problems: string[] = [];
  if (lost) problems.push(`${lost} of ${expected} log lines lost`);
  if (duplicated) problems.push(`${duplicated} log lines duplicated`);
  if (outOfOrder) problems.push(`${outOfOrder} log lines out of order`);
  if (garbled) problems.push(`${garbled} log lines garbled`);
  return { expected, lost, duplicated, outOfOrder, garbled, problems };
}

/** Tells whether a line is part of a marker line, as a stream cut inside the line would leave it. */
function isMarkerPiece(line: string, markers: string[]): boolean {
  const text = line.trim();
  if (text === '' || text.includes('msg=')) return false;
  return markers.some((marker) => marker.includes(text)) || /^marker-\d+./.test(text);
}

interface RunIdentity {
  jobId: string;
  /** The start of every name the run gives an object. */
  runPrefix: string;
  container: string;
}

/** Lists the run's objects in the cluster and blobs in its container, after deleted pods had time to stop. */
export async function findLeftovers(environment: SuiteEnvironment, identity: RunIdentity): Promise<string[]> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const left = [...clusterLeftovers(environment, identity), ...await blobLeftovers(environment, identity.container)];
    if (left.length === 0 || Date.now() > deadline) return left;
    await delay(POLL_MS);
  }
}

function clusterLeftovers(environment: SuiteEnvironment, identity: RunIdentity): string[] {
  const { cluster, namespace } = environment;
  const kinds = [['pods', namespace], ['secrets', namespace], ['namespaces', undefined]] as const;
  const left: string[] = [];
  for (const [kind, inNamespace] of kinds) {
    for (const object of cluster.listObjects(kind, inNamespace)) {
      const name = object.metadata?.name ?? '';
      if (object.metadata?.labels?.[JOB_LABEL] === identity.jobId || name.startsWith(identity.runPrefix)) {
        left.push(`${kind} ${name}`);
      }
    }
  }
  return left;
}

async function blobLeftovers(environment: SuiteEnvironment, container: string): Promise<string[]> {
  const { azurite } = environment;
  const service = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
  const client = service.getContainerClient(container);
  if (!(await client.exists())) return [];
  const left: string[] = [];
  // Kept context archives stay for reruns on purpose.
  for await (const blob of client.listBlobsFlat()) {
    if (!isKeptContextBlob(blob.name)) left.push(`blob ${container}/${blob.name}`);
  }
  return left;
}

/** Counts the secret values that appear in anything the task printed, except the masking commands. */
export function findSecrets(run: TaskRunResult, secrets: string[]): number {
  const printed = run.rawStdout.split('\n').filter((line) => !line.startsWith('##vso[task.setsecret]')).join('\n') + run.stderr;
  return new Set(secrets.filter((secret) => secret.length >= 8 && printed.includes(secret))).size;
}

function firstLine(text: string): string {
  return text.split('\n')[0] || '(no error message)';
}
