// Helpers for the API server tests: a server with a recording pod lifecycle listener in place
// of the kubelet, clients built from its kubeconfig, and Status bodies of failed calls.
import { ApiException, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { request as httpsRequest } from 'node:https';
import { LocalApiServer, type LocalApiServerOptions } from '../../../../tools/local-cluster/apiserver/local-api-server';
import type { PodLifecycleListener } from '../../../../tools/local-cluster/contract';

/** Records the pod creations and deletions that the API server reports. Tests finalize deletions themselves. */
export class RecordingListener implements PodLifecycleListener {
  readonly created: V1Pod[] = [];
  readonly deleting: { pod: V1Pod; gracePeriodSeconds: number }[] = [];

  podCreated(pod: V1Pod): void {
    this.created.push(pod);
  }

  podDeleting(pod: V1Pod, gracePeriodSeconds: number): void {
    this.deleting.push({ pod, gracePeriodSeconds });
  }
}

export interface TestServer {
  server: LocalApiServer;
  listener: RecordingListener;
  core: CoreV1Api;
  config: KubeConfig;
}

export async function startTestServer(options: LocalApiServerOptions = {}): Promise<TestServer> {
  const listener = new RecordingListener();
  const server = await LocalApiServer.start({ podLifecycle: listener, ...options });
  const config = kubeConfigFor(server.kubeconfig());
  return { server, listener, core: config.makeApiClient(CoreV1Api), config };
}

export function kubeConfigFor(yaml: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(yaml);
  return config;
}

export interface StatusBody {
  kind: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; kind?: string; causes?: { reason: string; message: string; field: string }[] };
}

/** Runs a call that must fail and returns the ApiException's code and parsed Status body. */
export async function failure(call: Promise<unknown>): Promise<{ code: number; status: StatusBody }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? (JSON.parse(error.body) as StatusBody) : (error.body as StatusBody);
    return { code: error.code, status: body };
  }
  throw new Error('The call succeeded, but it was expected to fail.');
}

/** Returns a minimal valid pod. */
export function simplePod(name: string, overrides: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'build' } },
    spec: { restartPolicy: 'Never', containers: [{ name: 'kaniko', image: 'ghcr.io/osscontainertools/kaniko:v1.28.3' }], ...overrides },
  };
}

/** Waits until `check` returns true, polling every 10 ms, or fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, description: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends an HTTPS request with the admin token and an optional body, to test what client-node cannot send. */
export function sendRaw(
  test: TestServer, method: string, path: string, options: { contentType?: string; body?: string; token?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.token ?? test.server.adminToken}` };
  if (options.contentType) headers['Content-Type'] = options.contentType;
  return new Promise((resolve, reject) => {
    const call = httpsRequest(`${test.server.url}${path}`, { method, headers, ca: test.server.caPem }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    call.on('error', reject);
    call.end(options.body);
  });
}
