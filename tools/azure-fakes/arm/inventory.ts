// The Azure resources the fakes know: subscriptions (each trusting one Entra tenant), resource
// groups, AKS managed clusters and container registries. Names of resource groups and
// resources compare case-insensitively, as in Azure Resource Manager.
import { isGuid, newGuid } from '../shared/ids';

export interface Subscription {
  id: string;
  tenantId: string;
}

export interface ManagedCluster {
  /** `/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/{name}`. */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Kubeconfig YAML that listClusterUserCredential returns. */
  userKubeconfig: string;
  /** Kubeconfig YAML that listClusterAdminCredential returns, the user kubeconfig unless given. */
  adminKubeconfig: string;
  /** A cluster with local accounts disabled refuses listClusterAdminCredential. */
  localAccountsDisabled: boolean;
}

export interface ContainerRegistry {
  /** `/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ContainerRegistry/registries/{name}`. */
  id: string;
  subscriptionId: string;
  name: string;
  /** `127.0.0.1:PORT`, the registry's own server. */
  loginServer: string;
  /** Whether the registry accepts Entra tokens for Azure Resource Manager (the "authentication-as-arm" policy, on by default). */
  armAudienceTokens: boolean;
}

/** AKS resource names: 1 to 63 characters, alphanumerics, `-` and `_`, starting and ending with an alphanumeric. */
const CLUSTER_NAME = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;

export class ResourceInventory {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly resourceGroups = new Map<string, string>();
  private readonly clusters = new Map<string, ManagedCluster>();
  private readonly registries = new Map<string, ContainerRegistry>();

  addSubscription(tenantId: string, id = newGuid()): Subscription {
    if (!isGuid(id)) throw new Error(`A subscription id must be a GUID; got ${JSON.stringify(id)}.`);
    const subscription = { id: id.toLowerCase(), tenantId: tenantId.toLowerCase() };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  subscription(id: string): Subscription | undefined {
    return this.subscriptions.get(id.toLowerCase());
  }

  /** Adds a resource group and returns its id. */
  addResourceGroup(subscriptionId: string, name: string): string {
    if (!this.subscription(subscriptionId)) throw new Error(`Subscription ${subscriptionId} is not registered in the fake Azure Resource Manager.`);
    const id = resourceGroupId(subscriptionId, name);
    this.resourceGroups.set(id.toLowerCase(), name);
    return id;
  }

  hasResourceGroup(subscriptionId: string, name: string): boolean {
    return this.resourceGroups.has(resourceGroupId(subscriptionId, name).toLowerCase());
  }

  addManagedCluster(options: Omit<ManagedCluster, 'id' | 'adminKubeconfig' | 'localAccountsDisabled'> & Partial<ManagedCluster>): ManagedCluster {
    this.requireResourceGroup(options.subscriptionId, options.resourceGroup);
    if (!CLUSTER_NAME.test(options.name)) throw new Error(`Invalid AKS cluster name ${JSON.stringify(options.name)}.`);
    const cluster: ManagedCluster = {
      ...options,
      id: `${resourceGroupId(options.subscriptionId, options.resourceGroup)}/providers/Microsoft.ContainerService/managedClusters/${options.name}`,
      adminKubeconfig: options.adminKubeconfig ?? options.userKubeconfig,
      localAccountsDisabled: options.localAccountsDisabled ?? false,
    };
    this.clusters.set(cluster.id.toLowerCase(), cluster);
    return cluster;
  }

  managedCluster(subscriptionId: string, resourceGroup: string, name: string): ManagedCluster | undefined {
    return this.clusters.get(`${resourceGroupId(subscriptionId, resourceGroup)}/providers/Microsoft.ContainerService/managedClusters/${name}`.toLowerCase());
  }

  addRegistry(options: { subscriptionId: string; resourceGroup: string; name: string; loginServer: string; armAudienceTokens?: boolean }): ContainerRegistry {
    this.requireResourceGroup(options.subscriptionId, options.resourceGroup);
    if (!/^[a-zA-Z0-9]{5,50}$/.test(options.name)) throw new Error(`Invalid registry name ${JSON.stringify(options.name)}: 5 to 50 alphanumerics.`);
    const registry: ContainerRegistry = {
      id: `${resourceGroupId(options.subscriptionId, options.resourceGroup)}/providers/Microsoft.ContainerRegistry/registries/${options.name}`,
      subscriptionId: options.subscriptionId.toLowerCase(),
      name: options.name,
      loginServer: options.loginServer,
      armAudienceTokens: options.armAudienceTokens ?? true,
    };
    this.registries.set(registry.loginServer.toLowerCase(), registry);
    return registry;
  }

  registryByLoginServer(loginServer: string): ContainerRegistry | undefined {
    return this.registries.get(loginServer.toLowerCase());
  }

  private requireResourceGroup(subscriptionId: string, name: string): void {
    if (!this.hasResourceGroup(subscriptionId, name)) {
      throw new Error(`Resource group ${name} in subscription ${subscriptionId} is not registered in the fake Azure Resource Manager.`);
    }
  }
}

export function resourceGroupId(subscriptionId: string, name: string): string {
  return `/subscriptions/${subscriptionId.toLowerCase()}/resourceGroups/${name}`;
}
