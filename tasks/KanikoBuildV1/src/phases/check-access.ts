// Asks the API server, before anything is created, whether the connection's identity has every
// permission the run needs (SelfSubjectAccessReview, authorization.k8s.io/v1). A missing
// permission fails the run at once with the full list and a Role that grants it, instead of
// failing halfway with objects to clean up.
import * as tl from 'azure-pipelines-task-lib/task';
import type { ClusterApi } from '../kubernetes/client';
import { describeApiError } from '../kubernetes/errors';
import { loc } from '../messages';
import { describePermission, exampleRole, requiredPermissions, type OptionalUse, type Permission } from '../plan/permissions';
import type { BuildPlan } from '../plan/plan';
import type { Settings } from '../settings/types';
import { withTimeout } from '../timeout';

const REQUEST_TIMEOUT_MS = 15_000;
const OPTIONAL_USE_KEYS: Record<OptionalUse, string> = {
  events: 'AccessLostEvents',
  log: 'AccessLostLog',
  serviceAccountCheck: 'AccessLostServiceAccountCheck',
  ownerReferences: 'AccessLostOwnerReferences',
  postJobCleanup: 'AccessLostPostJobCleanup',
};

/** The result of the check. Every use counts as allowed when the server did not serve or allow the reviews. */
export interface AccessReport {
  allows(use: OptionalUse): boolean;
}

/**
 * Checks every permission in parallel. Throws when a required one is missing, warns about each
 * missing optional one, and warns once and goes on when the server does not serve or allow the reviews.
 */
export async function checkAccess(api: ClusterApi, settings: Settings, plan: BuildPlan, signal: AbortSignal): Promise<AccessReport> {
  const permissions = requiredPermissions(settings, plan);
  let answers: boolean[];
  try {
    // One time limit covers all the reviews.
    const reviews = Promise.all(permissions.map((permission) => review(api, permission)));
    answers = await withTimeout(reviews, REQUEST_TIMEOUT_MS, 'SelfSubjectAccessReview', signal);
  } catch (error) {
    signal.throwIfAborted();
    tl.warning(loc('AccessReviewUnavailable', api.server, describeApiError(error)));
    return { allows: () => true };
  }

  const missing = permissions.filter((_, index) => !answers[index]);
  const required = missing.filter((permission) => !permission.optional);
  if (required.length > 0) {
    const list = required.map((permission) => `  - ${describePermission(permission)}`).join('\n');
    const clusterWide = plan.namespaceObject !== undefined;
    const role = exampleRole(permissions, plan.namespace, clusterWide);
    const binding = clusterWide ? loc('AccessBindClusterRole') : loc('AccessBindRole', plan.namespace, plan.namespace);
    throw new Error(loc('AccessMissing', api.server, list, role, binding));
  }
  const lost = new Set(missing.map((permission) => permission.optional as OptionalUse));
  for (const permission of missing) {
    tl.warning(loc('AccessOptionalMissing', describePermission(permission), loc(OPTIONAL_USE_KEYS[permission.optional as OptionalUse])));
  }
  console.log(loc('AccessChecked', permissions.length, plan.namespace));
  return { allows: (use) => !lost.has(use) };
}

function review(api: ClusterApi, permission: Permission): Promise<boolean> {
  const [resource, subresource] = permission.resource.split('/');
  const attributes = {
    verb: permission.verb,
    group: '',
    resource,
    ...(subresource ? { subresource } : {}),
    ...(permission.namespace ? { namespace: permission.namespace } : {}),
    ...(permission.name ? { name: permission.name } : {}),
  };
  return api.reviewAccess(attributes);
}
