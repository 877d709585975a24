// Checks, without changing anything, that the cluster responds and accepts the connection's
// credentials in the namespace, so that a wrong connection fails before the upload.
import { ApiException } from '@kubernetes/client-node';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import type { BuildPlan } from '../plan/plan';
import { withTimeout } from '../timeout';

const HTTP_NOT_FOUND = 404;
const REQUEST_TIMEOUT_MS = 30_000;

export async function checkCluster(api: ClusterApi, plan: BuildPlan, signal: AbortSignal): Promise<void> {
  try {
    const version = await withTimeout(api.serverVersion(), REQUEST_TIMEOUT_MS, 'GET /version', signal);
    // Reading the pod the run is about to create needs only `get` on pods, which the run
    // needs anyway; 404 proves that the credentials are accepted in the namespace. A namespace
    // that the run creates does not exist yet, so the permission check covers it instead.
    if (!plan.namespaceObject) {
      const read = api.readPod(plan.namespace, plan.name).catch((error: unknown) => {
        if (!(error instanceof ApiException && error.code === HTTP_NOT_FOUND)) throw error;
      });
      await withTimeout(read, REQUEST_TIMEOUT_MS, `GET pod ${plan.name}`, signal);
    }
    console.log(loc('ClusterConnected', api.server, version, plan.namespace));
  } catch (error) {
    signal.throwIfAborted();
    // An ApiException means that the server responded. Anything else is a network or TLS failure.
    const key = error instanceof ApiException ? 'ClusterAccessDenied' : 'ClusterUnreachable';
    throw new Error(loc(key, api.server, plan.namespace, describeApiError(error)), { cause: error });
  }
}
