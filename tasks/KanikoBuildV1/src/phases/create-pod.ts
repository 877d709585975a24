// Creates the run's Secrets and the kaniko pod, registering the delete of each at once.
import { ApiException, type V1Pod } from '@kubernetes/client-node';
import type { Cleanup } from '../cleanup';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import { planSecrets, type BuildPlan } from '../plan/plan';
import { WORKLOAD_IDENTITY_LABEL } from '../plan/pod';
import { ownSecretsByPod } from './own-secrets';
import { withTimeout } from '../timeout';

const REQUEST_TIMEOUT_MS = 30_000;

export async function createBuildPod(api: ClusterApi, plan: BuildPlan, cleanup: Cleanup, signal: AbortSignal): Promise<void> {
  const { namespace } = plan;
  for (const secret of planSecrets(plan)) {
    const name = secret.metadata!.name!;
    // Each delete is registered before its create: a create that times out may still have
    // happened, and a delete of a missing object succeeds.
    const withdraw = cleanup.add(`Secret ${namespace}/${name}`, (deadline) => withApiMessage(api.deleteSecret(namespace, name, deadline)));
    await create(`Secret ${namespace}/${name}`, () => api.createSecret(secret), withdraw, signal);
  }
  const withdraw = cleanup.add(`pod ${namespace}/${plan.name}`, (deadline) => withApiMessage(api.deletePod(namespace, plan.name, deadline)));
  // A pod template is the likely cause of a pod that the API server cannot decode or validate.
  const rejectedKey = plan.podTemplate ? 'PodTemplateRejectedAtCreate' : undefined;
  const created = await create(`pod ${namespace}/${plan.name}`, () => api.createPod(plan.pod), withdraw, signal, rejectedKey);
  console.log(loc('PodCreated', namespace, plan.name, plan.pod.spec!.containers[0].image));
  checkWorkloadIdentityInjected(plan, created);
  await ownSecretsByPod(api, plan, created, signal);
}

/**
 * Fails when a pod labelled for workload identity came back without the webhook's variables, as
 * on a cluster without the webhook. kaniko would otherwise fail later with an anonymous push.
 */
function checkWorkloadIdentityInjected(plan: BuildPlan, created: V1Pod): void {
  if (plan.pod.metadata?.labels?.[WORKLOAD_IDENTITY_LABEL] !== 'true') return;
  const env = created.spec?.containers?.[0]?.env ?? [];
  if (env.some((variable) => variable.name === 'AZURE_FEDERATED_TOKEN_FILE')) return;
  throw new Error(loc('WorkloadIdentityNotInjected', plan.namespace, plan.name));
}

/**
 * Creates an object; a create the server rejected withdraws its delete, since nothing exists to
 * delete. `invalidKey` names the message for a 400 or 422 rejection, instead of CreateFailed.
 */
export async function create<T>(
  description: string, call: () => Promise<T>, withdrawDelete: () => void, signal: AbortSignal, invalidKey?: string,
): Promise<T> {
  try {
    return await withTimeout(call(), REQUEST_TIMEOUT_MS, `creating ${description}`, signal);
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof ApiException && error.code >= 400 && error.code < 500) withdrawDelete();
    if (invalidKey && error instanceof ApiException && (error.code === 400 || error.code === 422)) {
      throw new Error(loc(invalidKey, description, describeApiError(error)), { cause: error });
    }
    throw new Error(loc('CreateFailed', description, describeApiError(error)), { cause: error });
  }
}

/** Runs an API call, replacing its error with a readable, secret-free one. */
export async function withApiMessage(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (error) {
    throw new Error(describeApiError(error), { cause: error });
  }
}
