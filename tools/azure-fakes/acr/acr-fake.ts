// The fake Azure Container Registry as tests see it. Each registry gets its own HTTPS server,
// because a registry is known by its login server and here that is `127.0.0.1:PORT`.
import type { ServerCertificates } from '../../local-cluster/apiserver/certificates';
import type { ContainerRegistry } from '../arm/inventory';
import { FakeHttpsServer } from '../shared/https-server';
import type { RecordedRequest } from '../shared/request-log';
import { handleRegistryRequest, type RegistryContext } from './exchange-endpoint';
import { checkRefreshToken, type RefreshTokenCheck } from './refresh-tokens';
import { decideWorkloadIdentity } from './workload-identity';
import type { WorkloadIdentityDecision, WorkloadIdentityRequest } from '../../local-cluster/kubelet/executor/acr-env-helper';

export interface RegistryServerOptions {
  certificates: ServerCertificates;
  record: (entry: RecordedRequest) => void;
  log?: (line: string) => void;
}

export interface StartedRegistry extends ContainerRegistry {
  /** `https://127.0.0.1:PORT`. */
  url: string;
}

export class AcrFake {
  private readonly servers: FakeHttpsServer[] = [];

  constructor(
    private readonly context: RegistryContext,
    private readonly serverOptions: RegistryServerOptions,
  ) {}

  /** Lifetime of refresh tokens issued from now on, in seconds (three hours unless set). */
  get refreshTokenLifetimeSeconds(): number {
    return this.context.refreshTokenLifetimeSeconds;
  }

  set refreshTokenLifetimeSeconds(seconds: number) {
    this.context.refreshTokenLifetimeSeconds = seconds;
  }

  /**
   * Starts a registry in an existing resource group. Its login server is `127.0.0.1:PORT`.
   * `armAudienceTokens: false` turns off the "authentication-as-arm" policy, so only tokens for
   * https://containerregistry.azure.net are accepted.
   */
  async addRegistry(options: { subscriptionId: string; resourceGroup: string; name: string; armAudienceTokens?: boolean }): Promise<StartedRegistry> {
    if (!this.context.inventory.hasResourceGroup(options.subscriptionId, options.resourceGroup)) {
      throw new Error(`Resource group ${options.resourceGroup} in subscription ${options.subscriptionId} is not registered in the fake Azure Resource Manager.`);
    }
    let registry: ContainerRegistry | undefined;
    const server = await FakeHttpsServer.start({
      service: 'acr',
      certificates: this.serverOptions.certificates,
      record: this.serverOptions.record,
      log: this.serverOptions.log,
      handler: (request) => (registry ? handleRegistryRequest(this.context, registry, request) : { status: 503, text: 'The registry is starting.' }),
    });
    try {
      registry = this.context.inventory.addRegistry({ ...options, loginServer: server.host });
    } catch (error) {
      await server.stop();
      throw error;
    }
    this.servers.push(server);
    return { ...registry, url: server.url };
  }

  /**
   * Checks a refresh token that a client presents as the password of user
   * 00000000-0000-0000-0000-000000000000: signature, expiry and, when given, that it was
   * issued for `loginServer`. Returns the caller and whether it may pull and push.
   */
  verifyRefreshToken(token: string, loginServer?: string): RefreshTokenCheck {
    return checkRefreshToken(this.context.signingKey, token, this.context.directory.now(), loginServer);
  }

  /**
   * Decides what a pod's federated workload identity may do on `registry`, as Entra ID and the
   * registry would respond to the token request and the token exchange of kaniko's acr-env helper.
   * Pass it to the local cluster as the registry's account, under the host the pod pushes to.
   */
  authorizeWorkloadIdentity(registry: ContainerRegistry, request: WorkloadIdentityRequest): WorkloadIdentityDecision {
    return decideWorkloadIdentity(this.context, registry, request);
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((server) => server.stop()));
  }
}
