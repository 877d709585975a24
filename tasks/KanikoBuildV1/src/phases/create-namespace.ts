// Creates the run's own namespace (input createNamespace) and registers its delete, which takes
// everything in it along. Kubernetes creates the namespace's `default` service account a moment
// later, and rejects pods until then, so the run waits for it.
import { setTimeout as delay } from 'node:timers/promises';
import { ApiException } from '@kubernetes/client-node';
import type { Cleanup } from '../cleanup';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError, isNotFound } from '../kubernetes/errors';
import { loc } from '../messages';
import type { BuildPlan } from '../plan/plan';
import { withTimeout } from '../timeout';
import { create, withApiMessage } from './create-pod';

/** How long the service account controller may take; it usually needs well under a second. */
const SERVICE_ACCOUNT_WAIT_MS = 30_000;
const POLL_INTERVAL_MS = 250;
const REQUEST_TIMEOUT_MS = 10_000;
const HTTP_UNAUTHORIZED = 401;
const HTTP_FORBIDDEN = 403;

/** Creates the namespace when the plan has one; does nothing otherwise. */
export async function createBuildNamespace(
  api: ClusterApi, plan: BuildPlan, cleanup: Cleanup, signal: AbortSignal, waitMs = SERVICE_ACCOUNT_WAIT_MS,
): Promise<void> {
  const namespace = plan.namespaceObject;
  if (!namespace) return;
  const description = `namespace ${plan.namespace}`;
  const withdraw = cleanup.add(description, () => withApiMessage(api.deleteNamespace(plan.namespace)));
  await create(description, () => api.createNamespace(namespace), withdraw, signal);
  console.log(loc('NamespaceCreated', plan.namespace));
  await waitForDefaultServiceAccount(api, plan.namespace, signal, waitMs);
}

async function waitForDefaultServiceAccount(api: ClusterApi, namespace: string, signal: AbortSignal, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let lastError = 'serviceaccounts "default" not found';
  for (;;) {
    try {
      await withTimeout(api.readServiceAccount(namespace, 'default'), REQUEST_TIMEOUT_MS, 'GET serviceaccount default', signal);
      return;
    } catch (error) {
      signal.throwIfAborted();
      if (!isNotFound(error)) lastError = describeApiError(error);
      // A rejected read fails the same way on retry.
      if (error instanceof ApiException && (error.code === HTTP_UNAUTHORIZED || error.code === HTTP_FORBIDDEN)) {
        throw new Error(loc('NamespaceServiceAccountUnreadable', namespace, lastError), { cause: error });
      }
    }
    if (Date.now() >= deadline) throw new Error(loc('NamespaceNoServiceAccount', namespace, waitMs / 1000, lastError));
    await delay(POLL_INTERVAL_MS, undefined, { signal });
  }
}
