// Creates the run's two Secrets and the kaniko pod, registering the delete of each at once.
import { ApiException } from '@kubernetes/client-node';
import type { Cleanup } from '../cleanup';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import type { BuildPlan } from '../plan/plan';
import { withTimeout } from '../timeout';

const REQUEST_TIMEOUT_MS = 30_000;

export async function createBuildPod(api: ClusterApi, plan: BuildPlan, cleanup: Cleanup, signal: AbortSignal): Promise<void> {
  const { namespace } = plan;
  for (const secret of [plan.registrySecret, plan.storageSecret]) {
    const name = secret.metadata!.name!;
    // Each delete is registered before its create: a create that times out may still have
    // happened, and a delete of a missing object succeeds.
    const withdraw = cleanup.add(`Secret ${namespace}/${name}`, () => withApiMessage(api.deleteSecret(namespace, name)));
    await create(`Secret ${namespace}/${name}`, () => api.createSecret(secret), withdraw, signal);
  }
  const withdraw = cleanup.add(`pod ${namespace}/${plan.name}`, () => withApiMessage(api.deletePod(namespace, plan.name)));
  await create(`pod ${namespace}/${plan.name}`, () => api.createPod(plan.pod), withdraw, signal);
  console.log(loc('PodCreated', namespace, plan.name, plan.pod.spec!.containers[0].image));
}

/** Creates an object; a create the server rejected withdraws its delete, since nothing exists to delete. */
async function create(
  description: string, call: () => Promise<unknown>, withdrawDelete: () => void, signal: AbortSignal,
): Promise<void> {
  try {
    await withTimeout(call(), REQUEST_TIMEOUT_MS, `creating ${description}`, signal);
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof ApiException && error.code >= 400 && error.code < 500) withdrawDelete();
    throw new Error(loc('CreateFailed', description, describeApiError(error)), { cause: error });
  }
}

async function withApiMessage(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (error) {
    throw new Error(describeApiError(error), { cause: error });
  }
}
