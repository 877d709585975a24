// The Kubernetes permissions a run needs, derived from its settings and plan, and an example
// Role (or ClusterRole) that grants them. Pure: tested without a cluster.
import type { Settings } from '../settings/types';
import type { BuildPlan } from './plan';

/** The feature that a run without the permission loses, for a permission the run can do without. */
export type OptionalUse = 'events' | 'log' | 'serviceAccountCheck' | 'ownerReferences' | 'postJobCleanup';

/** One verb on one resource, in the build namespace or at the cluster scope. */
export interface Permission {
  verb: string;
  /** Such as `pods`, or `pods/log` for a subresource. */
  resource: string;
  /** The namespace; empty for a cluster-scoped request. */
  namespace: string;
  /** The object's name, for a request on one named object. */
  name?: string;
  /** Set when the run goes on without the permission, and names what is lost. */
  optional?: OptionalUse;
}

/** Returns every permission the run needs, in the order of an example Role. */
export function requiredPermissions(settings: Settings, plan: BuildPlan): Permission[] {
  const namespace = plan.namespace;
  const inNamespace = (verbs: string[], resource: string, optional?: OptionalUse): Permission[] =>
    verbs.map((verb) => ({ verb, resource, namespace, ...(optional ? { optional } : {}) }));
  const permissions: Permission[] = [];
  if (plan.namespaceObject) {
    // Creating a namespace is a cluster-scoped request; deleting one is a request in the namespace itself.
    permissions.push({ verb: 'create', resource: 'namespaces', namespace: '' });
    permissions.push({ verb: 'delete', resource: 'namespaces', namespace, name: namespace });
    permissions.push({ verb: 'list', resource: 'namespaces', namespace: '', optional: 'postJobCleanup' });
  }
  permissions.push(...inNamespace(['create', 'get', 'watch', 'delete'], 'pods'));
  // The post-job step lists by the job's label what a killed run left behind.
  permissions.push(...inNamespace(['list'], 'pods', 'postJobCleanup'));
  permissions.push(...inNamespace(['get'], 'pods/log', 'log'));
  permissions.push(...inNamespace(['create', 'delete'], 'secrets'));
  // `patch` sets the Secrets' owner reference to the pod once the pod exists.
  permissions.push(...inNamespace(['patch'], 'secrets', 'ownerReferences'));
  permissions.push(...inNamespace(['list'], 'secrets', 'postJobCleanup'));
  if (settings.context.delivery === 'direct') permissions.push(...inNamespace(['get', 'create'], 'pods/attach'));
  if (plan.namespaceObject) {
    // The run waits for the new namespace's `default` service account before it creates the pod.
    permissions.push(...inNamespace(['get'], 'serviceaccounts'));
  } else if (settings.pod.serviceAccount) {
    permissions.push(...inNamespace(['get'], 'serviceaccounts', 'serviceAccountCheck'));
  }
  permissions.push(...inNamespace(['list'], 'events', 'events'));
  return permissions;
}

/** Formats a permission for a message, such as `create pods in namespace builds`. */
export function describePermission(permission: Permission): string {
  if (!permission.namespace) return `${permission.verb} ${permission.resource} at the cluster scope`;
  if (permission.resource === 'namespaces') return `${permission.verb} ${permission.resource} (the namespace ${permission.namespace} itself)`;
  return `${permission.verb} ${permission.resource} in namespace ${permission.namespace}`;
}

/**
 * Returns YAML of a Role in the build namespace that grants `permissions`. With a namespace per
 * build it is a ClusterRole, because the new namespace has no RoleBinding yet.
 */
export function exampleRole(permissions: Permission[], namespace: string, clusterWide: boolean): string {
  const verbsByResource = new Map<string, string[]>();
  for (const { resource, verb } of permissions) {
    const verbs = verbsByResource.get(resource) ?? [];
    if (!verbs.includes(verb)) verbs.push(verb);
    verbsByResource.set(resource, verbs);
  }
  const quoted = (values: string[]): string => `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;
  return [
    'apiVersion: rbac.authorization.k8s.io/v1',
    `kind: ${clusterWide ? 'ClusterRole' : 'Role'}`,
    'metadata:',
    '  name: kaniko-build',
    ...(clusterWide ? [] : [`  namespace: ${namespace}`]),
    'rules:',
    ...[...verbsByResource].flatMap(([resource, verbs]) => [
      '  - apiGroups: [""]',
      `    resources: ${quoted([resource])}`,
      `    verbs: ${quoted(verbs)}`,
    ]),
  ].join('\n');
}
