// The fake Microsoft Entra ID as tests see it: its authority host URL and the methods that
// register tenants, apps and their credentials.
import { randomBytes, type KeyObject } from 'node:crypto';
import type { FakeHttpsServer } from '../shared/https-server';
import type { AppRegistration, EntraDirectory, EntraTenant, FederatedCredential } from './directory';
import { v1Issuer, type AccessTokenClaims } from './tokens';

export class EntraFake {
  constructor(
    /** The directory behind the endpoint, shared with the other fakes. */
    readonly directory: EntraDirectory,
    private readonly server: FakeHttpsServer,
    /** The tenant that apps join unless a test names another. */
    readonly defaultTenant: EntraTenant,
  ) {}

  /** The authority host for `@azure/identity` (`authorityHost`), such as `https://127.0.0.1:41234`. */
  get url(): string {
    return this.server.url;
  }

  get tenantId(): string {
    return this.defaultTenant.id;
  }

  /** Lifetime of access tokens issued from now on, in seconds. */
  get tokenLifetimeSeconds(): number {
    return this.directory.tokenLifetimeSeconds;
  }

  set tokenLifetimeSeconds(seconds: number) {
    this.directory.tokenLifetimeSeconds = seconds;
  }

  addTenant(options: { id?: string; displayName?: string } = {}): EntraTenant {
    return this.directory.addTenant(options);
  }

  /** Registers an app and its service principal, in the default tenant unless `tenantId` is given. */
  addApp(options: { tenantId?: string; displayName?: string; appId?: string; objectId?: string } = {}): AppRegistration {
    return this.directory.addApp({ ...options, tenantId: options.tenantId ?? this.defaultTenant.id });
  }

  /** Adds a client secret and returns its value (random unless given). `expiresAt` is in ms since the epoch. */
  addClientSecret(appId: string, options: { value?: string; expiresAt?: number } = {}): string {
    const value = options.value ?? randomBytes(30).toString('base64url');
    this.directory.requireApp(appId).secrets.push({ value, expiresAt: options.expiresAt });
    return value;
  }

  /** Adds a federated identity credential. `audiences` defaults to `api://AzureADTokenExchange`. */
  addFederatedCredential(appId: string, credential: { name?: string; issuer: string; subject: string; audiences?: string[] }): FederatedCredential {
    return this.directory.addFederatedCredential(appId, credential);
  }

  /** Disables or enables sign-in for an app. A disabled app gets AADSTS7000112. */
  setAppDisabled(appId: string, disabled: boolean): void {
    this.directory.requireApp(appId).disabled = disabled;
  }

  /** Adds a resource identifier that `<identifier>/.default` scopes may name. */
  addResource(identifier: string): void {
    this.directory.addResource(identifier);
  }

  /** Trusts assertions signed by an external issuer (the fake Azure DevOps registers itself). */
  trustIssuer(issuer: string, keyId: string, publicKey: KeyObject): void {
    this.directory.trustIssuer(issuer, keyId, publicKey);
  }

  /** `https://sts.windows.net/{tenant}/`, the issuer of the access tokens this fake issues. */
  accessTokenIssuer(tenantId = this.defaultTenant.id): string {
    return v1Issuer(tenantId);
  }

  /**
   * Checks that this fake signed the token and returns its claims. It does not check expiry:
   * compare `exp` (seconds) with the fake clock. Throws for any other token.
   */
  verifyAccessToken(token: string): AccessTokenClaims {
    return this.directory.verifyToken(token) as unknown as AccessTokenClaims;
  }
}
