// GET pods/NAME/log, with the checks of the API server's LogREST and the kubelet's
// validateContainerLogStatus (pkg/kubelet/kubelet_pods.go, Kubernetes 1.34): a container that
// has not started is a 400 BadRequest naming its waiting reason. A fault plan can cut a followed
// stream after some bytes. The log store keeps every line, so a client can resume with sinceTime.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { StreamFaults } from '../faults/injector';
import { type FieldError, forbiddenField, invalid as invalidField } from '../field-errors';
import { sendText, startStream } from '../http';
import { badRequest, invalid, notFound } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { formatLogTime, type LogLine } from '../store/log-store';
import { parseInteger } from './watch';

interface LogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Lines before this time (nanoseconds) are left out. */
  since?: bigint;
  tailLines?: number;
  limitBytes?: number;
}

export interface LogRequest {
  request: IncomingMessage;
  response: ServerResponse;
  state: ClusterState;
  namespace: string;
  name: string;
  query: URLSearchParams;
  streamFaults?: StreamFaults;
}

export function serveLog(log: LogRequest): void {
  const options = parseLogOptions(log.query, log.name);
  const stored = log.state.objects.get('pods', log.namespace, log.name);
  if (!stored) throw notFound('pods', log.name);
  const pod = stored as V1Pod;
  const container = resolveContainer(pod, options.container);
  // A pod without a node has no kubelet to ask, so the API server returns an empty log.
  if (!pod.spec?.nodeName) {
    sendText(log.response, 200, '');
    return;
  }
  const problem = containerLogProblem(pod, container, options.previous);
  if (problem) throw badRequest(problem);
  if (options.previous) {
    sendText(log.response, 200, '');
    return;
  }
  streamLog(log, container, options);
}

function streamLog(log: LogRequest, container: string, options: LogOptions): void {
  const { state, namespace, name, response } = log;
  const { lines, ended } = state.logs.read(namespace, name, container);
  const selected = options.tailLines === undefined ? lines : lines.slice(Math.max(0, lines.length - options.tailLines));
  const writer = new LogWriter(response, options, log.streamFaults);
  startStream(response, 'text/plain');
  const open = selected.every((line) => writer.write(line));
  if (writer.cut) return;
  if (!open || !options.follow || ended) {
    response.end();
    return;
  }
  const unfollow = state.logs.follow(namespace, name, container, {
    onLine: (line) => {
      if (!writer.write(line)) finish();
    },
    onEnd: () => finish(),
  });
  const finish = (): void => {
    unfollow();
    if (!writer.cut) response.end();
  };
  response.once('close', unfollow);
}

/** Writes log lines up to limitBytes, and cuts the connection after the number of bytes a fault plan chose. */
class LogWriter {
  /** Whether the fault plan cut the connection. */
  cut = false;
  private remaining: number;
  private untilCut: number;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: LogOptions,
    private readonly faults: StreamFaults | undefined,
  ) {
    this.remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
    this.untilCut = faults?.cutAfterBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Sends a line unless sinceTime excludes it. Returns false once the stream must end. */
  write(line: LogLine): boolean {
    if (this.cut) return false;
    if (this.options.since !== undefined && line.time < this.options.since) return true;
    const text = `${this.options.timestamps ? `${formatLogTime(line.time)} ` : ''}${line.text}\n`;
    const bytes = Buffer.from(text, 'utf8');
    const chunk = bytes.length > this.remaining ? bytes.subarray(0, this.remaining) : bytes;
    if (chunk.length >= this.untilCut) {
      this.cutAfter(chunk.subarray(0, this.untilCut));
      return false;
    }
    this.untilCut -= chunk.length;
    this.remaining -= chunk.length;
    this.response.write(chunk);
    return this.remaining > 0;
  }

  /** Sends the last bytes, possibly part of a line, then destroys the connection without ending the chunked body. */
  private cutAfter(last: Buffer): void {
    this.cut = true;
    this.faults?.record('cutLogs');
    if (last.length === 0) {
      this.response.destroy();
      return;
    }
    // The write callback runs once the bytes reached the socket, so the client receives them before the cut.
    this.response.write(last, () => this.response.destroy());
  }
}

function parseLogOptions(query: URLSearchParams, podName: string): LogOptions {
  const options: LogOptions = {
    container: query.get('container') ?? '',
    follow: parseBoolean(query.get('follow')),
    previous: parseBoolean(query.get('previous')),
    timestamps: parseBoolean(query.get('timestamps')),
  };
  const tailLines = parseInteger(query.get('tailLines'));
  const limitBytes = parseInteger(query.get('limitBytes'));
  const sinceSeconds = parseInteger(query.get('sinceSeconds'));
  const sinceTime = query.get('sinceTime') || undefined;
  const errors: FieldError[] = [];
  if (tailLines !== undefined && tailLines < 0) errors.push(invalidField('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) errors.push(invalidField('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    errors.push(forbiddenField('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    errors.push(invalidField('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  }
  if (errors.length > 0) throw invalid('PodLogOptions', podName, errors);
  options.tailLines = tailLines;
  options.limitBytes = limitBytes;
  if (sinceSeconds !== undefined) options.since = BigInt(Date.now() - sinceSeconds * 1000) * 1_000_000n;
  if (sinceTime !== undefined) options.since = parseSinceTime(sinceTime);
  return options;
}

/** The texts that Go's strconv.ParseBool reads as true. */
export const BOOLEAN_TRUE_TEXTS: readonly string[] = ['1', 't', 'T', 'true', 'TRUE', 'True'];

function parseBoolean(value: string | null): boolean {
  if (value === null || value === '') return false;
  if (BOOLEAN_TRUE_TEXTS.includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

/**
 * Parses sinceTime (RFC 3339). The API server forwards it to the kubelet with whole seconds
 * only (metav1.Time's query form), so fractions are dropped here too: lines from the start of
 * that second on are returned.
 */
function parseSinceTime(text: string): bigint {
  const valid = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const milliseconds = valid ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(milliseconds)) {
    // NOTE: Go names the first element it failed on; this always names the year.
    throw badRequest(`parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(text)} as "2006"`);
  }
  return BigInt(Math.floor(milliseconds / 1000)) * 1_000_000_000n;
}

/** Returns the container to read, after validateContainer in pkg/registry/core/pod/strategy.go. */
function resolveContainer(pod: V1Pod, requested: string): string {
  const podName = pod.metadata?.name ?? '';
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((container) => container.name);
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 1) return containers[0].name;
  if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
  throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`);
}

/** Returns the kubelet's reason to reject a container's log, or undefined when it can be read. */
function containerLogProblem(pod: V1Pod, container: string, previous: boolean): string | undefined {
  const podName = pod.metadata?.name ?? '';
  const subject = `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)}`;
  const status = findStatus(pod, container);
  if (!status) return `${subject} is not available`;
  const { waiting, running, terminated } = status.state ?? {};
  const lastTerminated = status.lastState?.terminated;
  if (previous) return lastTerminated?.containerID ? undefined : `previous terminated ${subject} not found`;
  if (running) return undefined;
  if (terminated) return terminated.containerID || lastTerminated?.containerID ? undefined : `${subject} is terminated`;
  if (lastTerminated) return lastTerminated.containerID ? undefined : `${subject} is terminated`;
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') return `${subject} is waiting to start: image can't be pulled`;
    if (waiting.reason === 'ImagePullBackOff') return `${subject} is waiting to start: trying and failing to pull image`;
    return `${subject} is waiting to start: ${waiting.reason ?? ''}`;
  }
  return `${subject} is waiting to start - no logs yet`;
}

function findStatus(pod: V1Pod, container: string): V1ContainerStatus | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return statuses.find((status) => status.name === container);
}

