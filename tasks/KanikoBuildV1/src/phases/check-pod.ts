// Sends the create of a pod that a pod template shapes as a dry run, before anything is created.
// A template that the cluster rejects, such as one with a wrong field type or a Pod Security
// violation, then fails the step while there is nothing to clean up.
import * as tl from 'azure-pipelines-task-lib/task';
import { ApiException } from '@kubernetes/client-node';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { unknownFields } from '../kubernetes/unknown-fields';
import { loc } from '../messages';
import type { BuildPlan } from '../plan/plan';
import type { PodSettings } from '../settings/types';
import { withTimeout } from '../timeout';

const REQUEST_TIMEOUT_MS = 30_000;
/** The statuses of a request that the API server decoded, validated or admitted and then rejected. */
const REJECTED = new Set([400, 403, 422]);

/**
 * Checks a pod that a pod template shapes: fields that the Kubernetes client would drop fail the
 * step, and then the pod is sent as a dry-run create. Without a template the task's own
 * validation covers every field. In a namespace that the run creates later there is nothing to
 * send the dry run to yet, so the real create checks the pod there.
 */
export async function checkPodTemplate(api: ClusterApi, pod: PodSettings, plan: BuildPlan, signal: AbortSignal): Promise<void> {
  if (!pod.template) return;
  const unknown = unknownFields(plan.pod, 'V1Pod');
  if (unknown.length > 0) throw new Error(loc('PodTemplateUnknownFields', unknown.join(', ')));
  if (pod.createNamespace) return;
  try {
    await withTimeout(api.dryRunPod(plan.pod, signal), REQUEST_TIMEOUT_MS, `checking pod ${plan.namespace}/${plan.name}`, signal);
  } catch (error) {
    signal.throwIfAborted();
    const description = describeApiError(error);
    // An admission webhook with side effects makes the API server reject every dry run
    // (apiserver admission/plugin/webhook: "does not support dry run"); the real create decides then.
    if (error instanceof ApiException && REJECTED.has(error.code) && !/does not support dry run/i.test(description)) {
      throw new Error(loc('PodTemplateRejected', description), { cause: error });
    }
    tl.debug(`dry run of pod ${plan.namespace}/${plan.name} gave no verdict: ${description}`);
  }
}
