// Kubeconfig documents for clients of the local API server.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
  userName: string;
  namespace?: string;
  /** Leaves out the CA and sets insecure-skip-tls-verify instead. */
  insecure?: boolean;
}

const CONTEXT_NAME = 'local-cluster';

/** Returns kubeconfig YAML with one cluster, one token user and a current context. */
export function buildKubeconfig(input: KubeconfigInput): string {
  const cluster: Record<string, unknown> = { server: input.server };
  if (input.insecure) cluster['insecure-skip-tls-verify'] = true;
  else cluster['certificate-authority-data'] = Buffer.from(input.caPem, 'utf8').toString('base64');
  const context: Record<string, unknown> = { cluster: CONTEXT_NAME, user: input.userName };
  if (input.namespace) context.namespace = input.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster }],
    users: [{ name: input.userName, user: { token: input.token } }],
    contexts: [{ name: CONTEXT_NAME, context }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}
