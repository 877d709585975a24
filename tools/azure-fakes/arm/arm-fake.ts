// The fake Azure Resource Manager as tests see it: its URL and the methods that add
// subscriptions, resource groups and AKS clusters and assign roles.
import type { FakeHttpsServer } from '../shared/https-server';
import type { ManagedCluster, ResourceInventory, Subscription } from './inventory';
import type { BuiltInRoleName, RoleAssignments } from './rbac';

export class ArmFake {
  constructor(
    readonly inventory: ResourceInventory,
    readonly roles: RoleAssignments,
    private readonly server: FakeHttpsServer,
    /** The tenant that subscriptions trust unless a test names another. */
    private readonly defaultTenantId: string,
  ) {}

  /** The base URL that stands for `https://management.azure.com`. */
  get url(): string {
    return this.server.url;
  }

  addSubscription(options: { id?: string; tenantId?: string } = {}): Subscription {
    return this.inventory.addSubscription(options.tenantId ?? this.defaultTenantId, options.id);
  }

  /** Adds a resource group and returns its id. */
  addResourceGroup(subscriptionId: string, name: string): string {
    return this.inventory.addResourceGroup(subscriptionId, name);
  }

  /**
   * Adds an AKS cluster whose credential operations return the given kubeconfig YAML (for
   * example the local cluster's, or one whose user runs `kubelogin get-token --server-id
   * 6dae42f8-4368-4678-94ff-3960e28e3630` as Entra-integrated clusters return).
   */
  addManagedCluster(options: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    userKubeconfig: string;
    adminKubeconfig?: string;
    localAccountsDisabled?: boolean;
  }): ManagedCluster {
    return this.inventory.addManagedCluster(options);
  }

  /** Assigns a built-in role to a principal (an app's `objectId`) at a subscription, group or resource id. */
  assignRole(principalId: string, role: BuiltInRoleName, scope: string): void {
    this.roles.assign({ principalId, role, scope });
  }

  /** Removes the principal's role assignments at exactly this scope. */
  removeRoleAssignments(principalId: string, scope: string): void {
    this.roles.remove(principalId, scope);
  }
}
