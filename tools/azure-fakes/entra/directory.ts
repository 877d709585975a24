// The state of the fake Microsoft Entra ID: tenants, app registrations with their client
// secrets and federated identity credentials, the resources tokens can be issued for, and the
// external issuers whose assertions it trusts. Tests configure it, and the token endpoint reads it.
import type { KeyObject } from 'node:crypto';
import { isGuid, newGuid } from '../shared/ids';
import { decodeJwt, hasValidSignature, type JwtSigningKey } from '../shared/jwt';

export interface EntraTenant {
  id: string;
  displayName: string;
}

export interface ClientSecret {
  value: string;
  /** Expiry in milliseconds since the epoch, absent for a secret that never expires. */
  expiresAt?: number;
}

export interface FederatedCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface AppRegistration {
  /** The application (client) id. */
  appId: string;
  /** The object id of the app's service principal: the `oid` of its tokens and the principal of role assignments. */
  objectId: string;
  tenantId: string;
  displayName: string;
  disabled: boolean;
  secrets: ClientSecret[];
  federatedCredentials: FederatedCredential[];
}

/** The audience Entra expects in federated assertions unless a credential names another. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** Identifiers of Microsoft resources that are registered in every tenant of the fake. */
export const WELL_KNOWN_RESOURCES = {
  resourceManager: 'https://management.azure.com/',
  resourceManagerClassic: 'https://management.core.windows.net/',
  containerRegistry: 'https://containerregistry.azure.net',
  storage: 'https://storage.azure.com',
  /** The Entra application that AKS clusters with Entra integration use as server (`kubelogin --server-id`). */
  aksServer: '6dae42f8-4368-4678-94ff-3960e28e3630',
  /** Azure DevOps' first-party application. */
  azureDevOps: '499b84ac-1321-427f-aa17-267ca6975798',
} as const;

/** Entra accepts at most 20 federated identity credentials on one application. */
const MAX_FEDERATED_CREDENTIALS = 20;

export class EntraDirectory {
  private readonly tenants = new Map<string, EntraTenant>();
  private readonly apps = new Map<string, AppRegistration>();
  private readonly resources = new Set<string>(Object.values(WELL_KNOWN_RESOURCES));
  private readonly trustedKeys = new Map<string, Map<string, KeyObject>>();
  /** Base URL of the fake's own endpoint, set once its server listens. */
  baseUrl = '';
  /**
   * Decides whether a principal (its object id) may get a token for a resource. Real Entra ID
   * issues tokens whatever the roles, and Azure Storage checks the roles. Azurite checks none, so
   * startAzureFakes sets this to reject Storage tokens for principals without a Storage Blob Data role.
   */
  mayIssueToken: (principalId: string, resource: string) => boolean = () => true;

  constructor(
    readonly signingKey: JwtSigningKey,
    readonly now: () => number,
    /** Lifetime of issued access tokens in seconds. */
    public tokenLifetimeSeconds: number,
  ) {}

  addTenant(options: { id?: string; displayName?: string } = {}): EntraTenant {
    const id = (options.id ?? newGuid()).toLowerCase();
    if (!isGuid(id)) throw new Error(`A tenant id must be a GUID; got ${JSON.stringify(options.id)}.`);
    const tenant = { id, displayName: options.displayName ?? `Tenant ${id.slice(0, 8)}` };
    this.tenants.set(id, tenant);
    return tenant;
  }

  tenant(id: string): EntraTenant | undefined {
    return this.tenants.get(id.toLowerCase());
  }

  addApp(options: { tenantId: string; displayName?: string; appId?: string; objectId?: string }): AppRegistration {
    if (!this.tenant(options.tenantId)) throw new Error(`Tenant ${options.tenantId} is not registered in the fake Entra ID.`);
    const app: AppRegistration = {
      appId: (options.appId ?? newGuid()).toLowerCase(),
      objectId: (options.objectId ?? newGuid()).toLowerCase(),
      tenantId: options.tenantId.toLowerCase(),
      displayName: options.displayName ?? 'app',
      disabled: false,
      secrets: [],
      federatedCredentials: [],
    };
    this.apps.set(app.appId, app);
    return app;
  }

  /** Returns the app with this client id if it is registered in the tenant. */
  app(tenantId: string, appId: string): AppRegistration | undefined {
    const app = this.apps.get(appId.toLowerCase());
    return app && app.tenantId === tenantId.toLowerCase() ? app : undefined;
  }

  requireApp(appId: string): AppRegistration {
    const app = this.apps.get(appId.toLowerCase());
    if (!app) throw new Error(`App ${appId} is not registered in the fake Entra ID.`);
    return app;
  }

  addFederatedCredential(appId: string, credential: { name?: string; issuer: string; subject: string; audiences?: string[] }): FederatedCredential {
    const app = this.requireApp(appId);
    if (app.federatedCredentials.length >= MAX_FEDERATED_CREDENTIALS) {
      throw new Error(`App ${appId} already has ${MAX_FEDERATED_CREDENTIALS} federated credentials, the most Entra ID allows.`);
    }
    if (app.federatedCredentials.some((existing) => existing.issuer === credential.issuer && existing.subject === credential.subject)) {
      throw new Error(`App ${appId} already has a federated credential for issuer ${credential.issuer} and subject ${credential.subject}.`);
    }
    const added = {
      name: credential.name ?? `credential-${app.federatedCredentials.length + 1}`,
      issuer: credential.issuer,
      subject: credential.subject,
      audiences: credential.audiences ?? [TOKEN_EXCHANGE_AUDIENCE],
    };
    app.federatedCredentials.push(added);
    return added;
  }

  /** Adds a resource identifier (an application id URI or an application id) tokens can be requested for. */
  addResource(identifier: string): void {
    this.resources.add(identifier);
  }

  /** Returns the registered identifier that a `.default` scope names, comparing without trailing slashes. */
  findResource(requested: string): string | undefined {
    const wanted = trimSlashes(requested).toLowerCase();
    return [...this.resources].find((identifier) => trimSlashes(identifier).toLowerCase() === wanted);
  }

  /** Trusts assertions that `issuer` signs with `publicKey` under `keyId`. */
  trustIssuer(issuer: string, keyId: string, publicKey: KeyObject): void {
    const keys = this.trustedKeys.get(issuer) ?? new Map<string, KeyObject>();
    keys.set(keyId, publicKey);
    this.trustedKeys.set(issuer, keys);
  }

  /** Returns the key for a trusted issuer and key id. Entra's own v2.0 issuers use the fake's key. */
  issuerKey(issuer: string, keyId: unknown): KeyObject | undefined {
    if (typeof keyId !== 'string') return undefined;
    const own = /^(.*)\/([^/]+)\/v2\.0$/.exec(issuer);
    if (own && own[1] === this.baseUrl && this.tenant(own[2]) && keyId === this.signingKey.keyId) {
      return this.signingKey.publicKey;
    }
    return this.trustedKeys.get(issuer)?.get(keyId);
  }

  /** Returns the issuer of the fake's v2.0 tokens for a tenant, as its discovery document states it. */
  v2Issuer(tenantId: string): string {
    return `${this.baseUrl}/${tenantId.toLowerCase()}/v2.0`;
  }

  /**
   * Checks the signature of a token this fake issued and returns its claims. Expiry is left to
   * the caller (compare `exp` with the fake clock). Throws when the token is malformed or was
   * not signed by this fake.
   */
  verifyToken(token: string): Record<string, unknown> {
    const jwt = decodeJwt(token);
    if (!jwt) throw new Error('The token is not a JSON Web Token.');
    if (jwt.header.kid !== this.signingKey.keyId || !hasValidSignature(jwt, this.signingKey.publicKey)) {
      throw new Error('The token was not signed by the fake Entra ID.');
    }
    return jwt.claims;
  }
}

function trimSlashes(value: string): string {
  return value.replace(/\/+$/, '');
}
