// The managed identities of one Azure machine (a VM, a scale set instance or a container
// group), which its instance metadata service issues tokens for. Each identity is a service
// principal in the fake Entra ID, so Azure Resource Manager and the registries authorize its
// tokens by the role assignments of its object id, as they do for apps.
import type { AppRegistration, EntraDirectory } from '../entra/directory';
import { newGuid } from '../shared/ids';

export interface ManagedIdentity {
  /** The client id (`appid` of its tokens), which a request names with `client_id`. */
  clientId: string;
  /** The object id of its service principal (`oid`), the principal of role assignments. */
  objectId: string;
  /** The Azure resource id of a user-assigned identity, which a request names with `msi_res_id`. */
  resourceId?: string;
  tenantId: string;
  kind: 'systemAssigned' | 'userAssigned';
}

/** The identity a token request names with one of `client_id`, `object_id` or `msi_res_id`, or none. */
export interface IdentitySelector {
  clientId?: string;
  objectId?: string;
  resourceId?: string;
}

export type IdentityLookup =
  | { identity: ManagedIdentity; app: AppRegistration }
  | { failure: 'notFound' | 'ambiguous' };

export class ManagedIdentityMachine {
  private systemAssigned: ManagedIdentity | undefined;
  private readonly userAssigned: ManagedIdentity[] = [];

  constructor(
    private readonly directory: EntraDirectory,
    private readonly defaultTenantId: string,
  ) {}

  /** Turns on the system-assigned identity, or returns the one already on. */
  enableSystemAssigned(options: { tenantId?: string } = {}): ManagedIdentity {
    if (this.systemAssigned) return this.systemAssigned;
    this.systemAssigned = this.register('systemAssigned', 'system-assigned identity', options.tenantId);
    return this.systemAssigned;
  }

  /** Turns off the system-assigned identity, so that requests without a selector no longer find it. */
  disableSystemAssigned(): void {
    this.systemAssigned = undefined;
  }

  /** Creates a user-assigned identity and assigns it to the machine. */
  assignUserAssigned(options: { name?: string; tenantId?: string; subscriptionId?: string } = {}): ManagedIdentity {
    const name = options.name ?? `identity-${this.userAssigned.length + 1}`;
    const identity = this.register('userAssigned', name, options.tenantId);
    identity.resourceId = `/subscriptions/${options.subscriptionId ?? newGuid()}/resourceGroups/identities`
      + `/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
    this.userAssigned.push(identity);
    return identity;
  }

  /** Removes a user-assigned identity from the machine. The identity itself goes on existing. */
  unassignUserAssigned(clientId: string): void {
    const index = this.userAssigned.findIndex((identity) => identity.clientId === clientId.toLowerCase());
    if (index >= 0) this.userAssigned.splice(index, 1);
  }

  /**
   * Finds the identity a request names. Without a selector, IMDS uses the system-assigned
   * identity, or else the only user-assigned one. A machine with several user-assigned
   * identities and no system-assigned one needs a selector: how-to-use-vm-token.md in
   * MicrosoftDocs/entra-docs calls client_id "Required, if your VM has multiple user-assigned
   * managed identities".
   */
  find(selector: IdentitySelector): IdentityLookup {
    const identity = this.select(selector);
    if (identity === 'ambiguous') return { failure: 'ambiguous' };
    if (!identity) return { failure: 'notFound' };
    return { identity, app: this.directory.requireApp(identity.clientId) };
  }

  private select(selector: IdentitySelector): ManagedIdentity | 'ambiguous' | undefined {
    const all = [...(this.systemAssigned ? [this.systemAssigned] : []), ...this.userAssigned];
    if (selector.clientId) return all.find((identity) => identity.clientId === selector.clientId?.toLowerCase());
    if (selector.objectId) return all.find((identity) => identity.objectId === selector.objectId?.toLowerCase());
    if (selector.resourceId) {
      return this.userAssigned.find((identity) => identity.resourceId?.toLowerCase() === selector.resourceId?.toLowerCase());
    }
    if (this.systemAssigned) return this.systemAssigned;
    if (this.userAssigned.length > 1) return 'ambiguous';
    return this.userAssigned[0];
  }

  private register(kind: ManagedIdentity['kind'], displayName: string, tenantId = this.defaultTenantId): ManagedIdentity {
    const app = this.directory.addApp({ tenantId, displayName });
    return { clientId: app.appId, objectId: app.objectId, tenantId: app.tenantId, kind };
  }
}
