// Local stand-ins for the Azure services that a build task calls to get cluster and registry
// credentials without long-lived secrets. Each runs its own HTTPS server on 127.0.0.1, and all
// servers present one certificate, signed by a CA of the fakes' own.
// - entra: the Microsoft Entra ID token endpoint (client secrets and workload identity federation).
// - devops: the Azure DevOps pipeline OIDC token endpoint (System.OidcRequestUri).
// - arm: Azure Resource Manager's AKS listClusterUserCredential and listClusterAdminCredential.
// - acr: Azure Container Registry's `/oauth2/exchange`, one server per registry.
// - imds: the managed identity token endpoint of one machine's instance metadata service, over
//   plain HTTP as in Azure. A process reaches it through `imds.environment()`.
// Every request is recorded with secrets redacted. A task process trusts the CA through
// NODE_EXTRA_CA_CERTS, and clients in the test process pass `caPem` (for @azure/identity,
// `tlsOptions: { ca }`).
import { AcrFake } from './acr/acr-fake';
import { handleArmRequest } from './arm/aks-endpoint';
import { ArmFake } from './arm/arm-fake';
import { ResourceInventory } from './arm/inventory';
import { RoleAssignments } from './arm/rbac';
import { DevOpsFake } from './devops/devops-fake';
import { handleDevOpsRequest } from './devops/oidc-endpoint';
import { DevOpsOrganization } from './devops/organization';
import { EntraDirectory, WELL_KNOWN_RESOURCES } from './entra/directory';
import { EntraFake } from './entra/entra-fake';
import { handleEntraRequest } from './entra/token-endpoint';
import { issueFederationToken } from './entra/tokens';
import { ImdsFake } from './imds/imds-fake';
import { ManagedIdentityMachine } from './imds/machine';
import { handleImdsRequest } from './imds/token-endpoint';
import { generateServerCertificates, type ServerCertificates } from '../local-cluster/apiserver/certificates';
import { FakeHttpsServer, type FakeHandler } from './shared/https-server';
import { newGuid } from './shared/ids';
import { JwtSigningKey } from './shared/jwt';
import type { FakeService, RecordedRequest } from './shared/request-log';

export { ACR_REFRESH_TOKEN_USERNAME, type RefreshTokenCheck } from './acr/refresh-tokens';
export type { StartedRegistry } from './acr/acr-fake';
export type { BuiltInRoleName } from './arm/rbac';
export type { ManagedCluster, Subscription } from './arm/inventory';
export type { StartedJob } from './devops/devops-fake';
export type { DevOpsProject, FederationIssuerKind, ServiceConnection } from './devops/organization';
export { TOKEN_EXCHANGE_AUDIENCE, WELL_KNOWN_RESOURCES, type AppRegistration, type FederatedCredential } from './entra/directory';
export type { AccessTokenClaims } from './entra/tokens';
export { assertImdsSourceSelectable, IMDS_HOST_VARIABLE } from './imds/imds-fake';
export type { ManagedIdentity } from './imds/machine';
export { REDACTED, type FakeService, type RecordedRequest } from './shared/request-log';
export type { AcrFake, ArmFake, DevOpsFake, EntraFake, ImdsFake };

export interface AzureFakesOptions {
  /** Id of the default Entra tenant, random unless given. */
  tenantId?: string;
  /** Name of the Azure DevOps organization, `fabrikam` unless given. */
  organization?: string;
  /** Lifetime of Entra access tokens in seconds, 3599 unless given. */
  tokenLifetimeSeconds?: number;
  /** The fakes' clock in milliseconds since the epoch, Date.now unless given. Move it to test expiry. */
  now?: () => number;
  /** Server certificate and CA to use, for example to share one CA file with the local cluster. */
  certificates?: ServerCertificates;
  /** Receives one line per request. Leave it out for silent servers. */
  log?: (line: string) => void;
}

/**
 * Lifetime of ACR refresh tokens. NOTE: ACR does not document it (the sample token in Azure/acr
 * docs/AAD-OAuth.md is valid for about 35 minutes), so three hours is an estimate.
 */
const REFRESH_TOKEN_LIFETIME_SECONDS = 3 * 3600;
/** The data action that a blob upload needs. The fakes issue Storage tokens only to principals allowed it. */
const STORAGE_BLOB_WRITE = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write';

export class AzureFakes {
  private constructor(
    /** PEM of the CA that signed every fake's server certificate. */
    readonly caPem: string,
    readonly entra: EntraFake,
    readonly devops: DevOpsFake,
    readonly arm: ArmFake,
    readonly acr: AcrFake,
    readonly imds: ImdsFake,
    private readonly servers: FakeHttpsServer[],
    private readonly recorded: RecordedRequest[],
  ) {}

  /** @internal Use startAzureFakes. */
  static create(parts: {
    caPem: string;
    entra: EntraFake;
    devops: DevOpsFake;
    arm: ArmFake;
    acr: AcrFake;
    imds: ImdsFake;
    servers: FakeHttpsServer[];
    recorded: RecordedRequest[];
  }): AzureFakes {
    return new AzureFakes(parts.caPem, parts.entra, parts.devops, parts.arm, parts.acr, parts.imds, parts.servers, parts.recorded);
  }

  /** Returns the requests served so far, oldest first, optionally only those of one service. */
  requests(service?: FakeService): RecordedRequest[] {
    return this.recorded.filter((entry) => service === undefined || entry.service === service);
  }

  clearRequests(): void {
    this.recorded.splice(0);
  }

  /** Stops every server, registries included, and closes open connections. */
  async stop(): Promise<void> {
    await this.acr.stop();
    await Promise.all(this.servers.splice(0).map((server) => server.stop()));
  }
}

/** Starts the Entra ID, Azure DevOps, Resource Manager and IMDS fakes. Registries start with `acr.addRegistry`. */
export async function startAzureFakes(options: AzureFakesOptions = {}): Promise<AzureFakes> {
  const now = options.now ?? Date.now;
  const certificates = options.certificates ?? generateServerCertificates();
  const [entraKey, devopsKey, acrKey] = await Promise.all([JwtSigningKey.generate(), JwtSigningKey.generate(), JwtSigningKey.generate()]);
  const recorded: RecordedRequest[] = [];
  const servers: FakeHttpsServer[] = [];
  const start = async (service: FakeService, handler: FakeHandler, transport: 'https' | 'http' = 'https'): Promise<FakeHttpsServer> => {
    const server = await FakeHttpsServer.start({ service, certificates, transport, handler, record: (entry) => recorded.push(entry), log: options.log });
    servers.push(server);
    return server;
  };

  try {
    const directory = new EntraDirectory(entraKey, now, options.tokenLifetimeSeconds ?? 3599);
    const tenant = directory.addTenant({ id: options.tenantId, displayName: 'Default Directory' });
    const entraServer = await start('entra', (request) => handleEntraRequest(directory, request));
    directory.baseUrl = entraServer.url;
    const entra = new EntraFake(directory, entraServer, tenant);

    const organization = new DevOpsOrganization({
      name: options.organization ?? 'fabrikam',
      id: newGuid(),
      entraIssuer: (tenantId) => directory.v2Issuer(tenantId),
    });
    const issueEntraToken = (tenantId: string, subject: string, audience: string) => issueFederationToken(directory, tenantId, subject, audience);
    const devopsServer = await start('devops', (request) => handleDevOpsRequest({ organization, signingKey: devopsKey, now, issueEntraToken }, request));
    organization.baseUrl = devopsServer.url;
    directory.trustIssuer(organization.issuer, devopsKey.keyId, devopsKey.publicKey);
    const devops = new DevOpsFake(organization, devopsServer, tenant.id);

    const inventory = new ResourceInventory();
    const roles = new RoleAssignments();
    directory.mayIssueToken = (principalId, resource) =>
      resource !== WELL_KNOWN_RESOURCES.storage || roles.allowsDataActionAnywhere(principalId, STORAGE_BLOB_WRITE);
    const armServer = await start('arm', (request) => handleArmRequest({ directory, inventory, roles, authorityUrl: () => entraServer.url }, request));
    const arm = new ArmFake(inventory, roles, armServer, tenant.id);
    const acr = new AcrFake(
      { directory, inventory, roles, signingKey: acrKey, refreshTokenLifetimeSeconds: REFRESH_TOKEN_LIFETIME_SECONDS },
      { certificates, record: (entry) => recorded.push(entry), log: options.log },
    );

    const machine = new ManagedIdentityMachine(directory, tenant.id);
    const issuedTokens: string[] = [];
    const onIssued = (token: string): void => {
      issuedTokens.push(token);
    };
    const imdsServer = await start('imds', (request) => handleImdsRequest({ directory, machine, onIssued }, request), 'http');
    const imds = new ImdsFake(machine, imdsServer, issuedTokens);
    return AzureFakes.create({ caPem: certificates.caPem, entra, devops, arm, acr, imds, servers, recorded });
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
}
