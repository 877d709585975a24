// Makes the kaniko pod the owner of the run's Secrets. They must exist before the pod, because
// the kubelet fails a container whose secretKeyRef names a missing Secret
// (CreateContainerConfigError), so the reference is added to them once the pod has its uid.
import type { V1Pod } from '@kubernetes/client-node';
import * as tl from 'azure-pipelines-task-lib/task';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import { podOwnerPatch } from '../plan/owner-reference';
import { planSecrets, type BuildPlan } from '../plan/plan';
import { withTimeout } from '../timeout';

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Patches each Secret of the plan with an owner reference to `pod`. A failed patch is a warning:
 * the run deletes its Secrets itself, and the reference only covers a run that is killed.
 */
export async function ownSecretsByPod(api: ClusterApi, plan: BuildPlan, pod: V1Pod, signal: AbortSignal): Promise<void> {
  const patch = podOwnerPatch(pod);
  await Promise.all(planSecrets(plan).map(async (secret) => {
    const name = secret.metadata!.name!;
    try {
      await withTimeout(api.patchSecret(plan.namespace, name, patch, signal), REQUEST_TIMEOUT_MS, `patching Secret ${name}`, signal);
      tl.debug(`Secret ${plan.namespace}/${name} is owned by pod ${plan.name} (uid ${patch.metadata.ownerReferences[0].uid})`);
    } catch (error) {
      signal.throwIfAborted();
      tl.warning(loc('OwnerReferenceFailed', plan.namespace, name, plan.name, describeApiError(error)));
    }
  }));
}
