// Azure role-based access control as Azure Resource Manager and Azure Container Registry
// evaluate it. A principal may perform an action on a resource when a role assignment at the
// resource or at one of its parent scopes grants a role whose actions match the action and
// whose notActions do not. Actions compare case-insensitively, and `*` matches any characters.
// Data actions (operations on data, such as reading a blob) follow the same matching rules.
// Role contents follow "Azure built-in roles" (learn.microsoft.com).

export interface RoleDefinition {
  actions: string[];
  notActions: string[];
  dataActions?: string[];
}

const BLOB_SERVICE = 'Microsoft.Storage/storageAccounts/blobServices';

export const BUILT_IN_ROLES = {
  Owner: { actions: ['*'], notActions: [] },
  Contributor: {
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
    ],
  },
  Reader: { actions: ['*/read'], notActions: [] },
  'Azure Kubernetes Service Cluster User Role': {
    actions: ['Microsoft.ContainerService/managedClusters/listClusterUserCredential/action', 'Microsoft.ContainerService/managedClusters/read'],
    notActions: [],
  },
  'Azure Kubernetes Service Cluster Admin Role': {
    actions: [
      'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
      'Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action',
      'Microsoft.ContainerService/managedClusters/read',
      'Microsoft.ContainerService/managedClusters/runcommand/action',
    ],
    notActions: [],
  },
  AcrPush: { actions: ['Microsoft.ContainerRegistry/registries/pull/read', 'Microsoft.ContainerRegistry/registries/push/write'], notActions: [] },
  AcrPull: { actions: ['Microsoft.ContainerRegistry/registries/pull/read'], notActions: [] },
  'Storage Blob Data Contributor': {
    actions: [
      `${BLOB_SERVICE}/containers/delete`, `${BLOB_SERVICE}/containers/read`, `${BLOB_SERVICE}/containers/write`,
      `${BLOB_SERVICE}/generateUserDelegationKey/action`,
    ],
    notActions: [],
    dataActions: [
      `${BLOB_SERVICE}/containers/blobs/delete`, `${BLOB_SERVICE}/containers/blobs/read`, `${BLOB_SERVICE}/containers/blobs/write`,
      `${BLOB_SERVICE}/containers/blobs/move/action`, `${BLOB_SERVICE}/containers/blobs/add/action`,
    ],
  },
  'Storage Blob Data Reader': {
    actions: [`${BLOB_SERVICE}/containers/read`, `${BLOB_SERVICE}/generateUserDelegationKey/action`],
    notActions: [],
    dataActions: [`${BLOB_SERVICE}/containers/blobs/read`],
  },
} satisfies Record<string, RoleDefinition>;

export type BuiltInRoleName = keyof typeof BUILT_IN_ROLES;

export interface RoleAssignment {
  /** Object id of the principal (a service principal's `oid`). */
  principalId: string;
  role: BuiltInRoleName;
  /** A subscription, resource group or resource id, such as `/subscriptions/{id}/resourceGroups/{name}`. */
  scope: string;
}

export class RoleAssignments {
  private readonly assignments: RoleAssignment[] = [];

  assign(assignment: RoleAssignment): void {
    if (!(assignment.role in BUILT_IN_ROLES)) throw new Error(`Unknown role ${JSON.stringify(assignment.role)}; use one of ${Object.keys(BUILT_IN_ROLES).join(', ')}.`);
    if (!assignment.scope.startsWith('/subscriptions/')) throw new Error(`A role assignment scope starts with /subscriptions/; got ${assignment.scope}.`);
    this.assignments.push({ ...assignment, principalId: assignment.principalId.toLowerCase(), scope: trimSlashes(assignment.scope) });
  }

  /** Removes every assignment of the principal at the scope. */
  remove(principalId: string, scope: string): void {
    const principal = principalId.toLowerCase();
    const target = trimSlashes(scope).toLowerCase();
    for (let index = this.assignments.length - 1; index >= 0; index -= 1) {
      const assignment = this.assignments[index];
      if (assignment.principalId === principal && assignment.scope.toLowerCase() === target) this.assignments.splice(index, 1);
    }
  }

  /** Returns whether a role assigned to the principal at the resource or above grants the action. */
  allows(principalId: string, action: string, resourceId: string): boolean {
    return this.rolesAt(principalId, resourceId).some((role) => grants(role, action));
  }

  /** Returns whether a role assigned to the principal at any scope grants the data action. */
  allowsDataActionAnywhere(principalId: string, dataAction: string): boolean {
    const principal = principalId.toLowerCase();
    return this.assignments
      .filter((assignment) => assignment.principalId === principal)
      .some((assignment) => (BUILT_IN_ROLES[assignment.role] as RoleDefinition).dataActions?.some((pattern) => matchesAction(pattern, dataAction)) ?? false);
  }

  private rolesAt(principalId: string, resourceId: string): RoleDefinition[] {
    const principal = principalId.toLowerCase();
    const resource = trimSlashes(resourceId).toLowerCase();
    return this.assignments
      .filter((assignment) => assignment.principalId === principal && covers(assignment.scope.toLowerCase(), resource))
      .map((assignment) => BUILT_IN_ROLES[assignment.role]);
  }
}

function grants(role: RoleDefinition, action: string): boolean {
  return role.actions.some((pattern) => matchesAction(pattern, action)) && !role.notActions.some((pattern) => matchesAction(pattern, action));
}

function matchesAction(pattern: string, action: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`, 'i').test(action);
}

function covers(scope: string, resource: string): boolean {
  return resource === scope || resource.startsWith(`${scope}/`);
}

function trimSlashes(value: string): string {
  return value.replace(/\/+$/, '');
}
