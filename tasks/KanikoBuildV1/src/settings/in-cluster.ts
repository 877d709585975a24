// The agent's own pod as the way into the cluster: for self-hosted agents that run as pods in
// the cluster that builds, with the pod's service account.
import * as fs from 'node:fs';
import { loc } from '../messages';
import type { Problems } from './problems';
import type { InClusterSettings } from './types';

/** The folder where Kubernetes mounts a pod's service account token (Kubernetes docs, "Accessing the API from a Pod"). */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function parseInCluster(problems: Problems): InClusterSettings | undefined {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const tokenFile = `${SERVICE_ACCOUNT_DIR}/token`;
  if (!host || !process.env.KUBERNETES_SERVICE_PORT || !fs.existsSync(tokenFile)) {
    problems.add(loc('NotInCluster', tokenFile));
    return undefined;
  }
  const namespaceFile = `${SERVICE_ACCOUNT_DIR}/namespace`;
  return {
    kind: 'inCluster',
    connectionNamespace: fs.existsSync(namespaceFile) ? fs.readFileSync(namespaceFile, 'utf8').trim() : undefined,
  };
}
