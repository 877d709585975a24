// Test helpers for the kubelet emulation: gzip tar archives and an in-memory ClusterStore
// that keeps every status, log line and event for the tests to read.
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import type { V1Pod, V1PodStatus, V1Secret } from '@kubernetes/client-node';
import type { ClusterStore, ServiceAccountTokenRequest } from '../../../../tools/local-cluster/contract';

/** A tar entry: file content as a string, or a header for other entry types. */
export type ArchiveEntry = string | (Partial<Header> & { content?: string });

/** Builds a gzip-compressed tar archive from entries keyed by path. */
export async function makeContextArchive(entries: Record<string, ArchiveEntry>): Promise<Buffer> {
  const archive = pack();
  for (const [name, entry] of Object.entries(entries)) {
    if (typeof entry === 'string') archive.entry({ name }, entry);
    else archive.entry({ name, ...entry }, entry.content ?? '');
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

export interface RecordedEvent {
  namespace: string;
  pod: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RecordedNodeEvent {
  node: string;
  component: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

interface ContainerLog {
  lines: string[];
  ended: boolean;
}

/** An in-memory ClusterStore that records what the kubelet reports. */
export class FakeClusterStore implements ClusterStore {
  readonly pods = new Map<string, V1Pod>();
  readonly secrets = new Map<string, V1Secret>();
  readonly statusHistory = new Map<string, V1PodStatus[]>();
  readonly logs = new Map<string, ContainerLog>();
  readonly events: RecordedEvent[] = [];
  readonly nodeEvents: RecordedNodeEvent[] = [];
  readonly deleted: string[] = [];
  /** Service accounts by `namespace/name`; every namespace has `default`. */
  readonly serviceAccounts = new Set<string>();
  readonly tokenRequests: ServiceAccountTokenRequest[] = [];
  private readonly listeners = new Set<() => void>();

  addPod(pod: V1Pod): V1Pod {
    const stored: V1Pod = { ...structuredClone(pod), status: { phase: 'Pending' } };
    this.pods.set(key(stored.metadata?.namespace, stored.metadata?.name), stored);
    return structuredClone(stored);
  }

  addSecret(secret: V1Secret): void {
    this.secrets.set(key(secret.metadata?.namespace, secret.metadata?.name), structuredClone(secret));
    this.changed();
  }

  addServiceAccount(namespace: string, name: string): void {
    this.serviceAccounts.add(key(namespace, name));
  }

  /** Returns `sa-token:NAMESPACE:NAME:AUDIENCE` in place of a signed token. */
  requestServiceAccountToken(request: ServiceAccountTokenRequest): { token: string } | { error: string } {
    this.tokenRequests.push(structuredClone(request));
    const { namespace, serviceAccountName, audience } = request;
    if (serviceAccountName !== 'default' && !this.serviceAccounts.has(key(namespace, serviceAccountName))) {
      return { error: `serviceaccounts ${JSON.stringify(serviceAccountName)} not found` };
    }
    return { token: `sa-token:${namespace}:${serviceAccountName}:${audience ?? ''}` };
  }

  getPod(namespace: string, name: string): V1Pod | undefined {
    const pod = this.pods.get(key(namespace, name));
    return pod ? structuredClone(pod) : undefined;
  }

  getSecret(namespace: string, name: string): V1Secret | undefined {
    const secret = this.secrets.get(key(namespace, name));
    return secret ? structuredClone(secret) : undefined;
  }

  updatePodStatus(namespace: string, name: string, status: V1PodStatus, nodeName?: string): void {
    const pod = this.pods.get(key(namespace, name));
    if (!pod) return;
    pod.status = structuredClone(status);
    if (nodeName) pod.spec = { ...pod.spec!, nodeName };
    const history = this.statusHistory.get(key(namespace, name)) ?? [];
    history.push(structuredClone(status));
    this.statusHistory.set(key(namespace, name), history);
    this.changed();
  }

  appendLog(namespace: string, pod: string, container: string, line: string): void {
    this.log(namespace, pod, container).lines.push(line);
    this.changed();
  }

  endLog(namespace: string, pod: string, container: string): void {
    this.log(namespace, pod, container).ended = true;
    this.changed();
  }

  recordEvent(namespace: string, pod: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ namespace, pod, type, reason, message });
    this.changed();
  }

  recordNodeEvent(node: string, component: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.nodeEvents.push({ node, component, type, reason, message });
    this.changed();
  }

  finalizePodDeletion(namespace: string, name: string): void {
    this.pods.delete(key(namespace, name));
    this.deleted.push(key(namespace, name));
    this.changed();
  }

  /** Returns a container's log lines so far. */
  logLines(namespace: string, pod: string, container: string): string[] {
    return this.logs.get(`${key(namespace, pod)}/${container}`)?.lines ?? [];
  }

  logEnded(namespace: string, pod: string, container: string): boolean {
    return this.logs.get(`${key(namespace, pod)}/${container}`)?.ended ?? false;
  }

  eventsFor(namespace: string, pod: string): RecordedEvent[] {
    return this.events.filter((event) => event.namespace === namespace && event.pod === pod);
  }

  /** Resolves once the condition is true after a change; rejects after `timeoutMs`. */
  waitFor(description: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
    });
  }

  private log(namespace: string, pod: string, container: string): ContainerLog {
    const logKey = `${key(namespace, pod)}/${container}`;
    let log = this.logs.get(logKey);
    if (!log) {
      log = { lines: [], ended: false };
      this.logs.set(logKey, log);
    }
    return log;
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function key(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? 'default'}/${name ?? ''}`;
}

/** Returns a Secret with a Docker config.json that contains credentials for one registry. */
export function dockerConfigSecret(namespace: string, name: string, registry: string, username: string, password: string): V1Secret {
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  const config = JSON.stringify({ auths: { [registry]: { auth } } });
  return { metadata: { namespace, name }, type: 'Opaque', data: { 'config.json': Buffer.from(config).toString('base64') } };
}
