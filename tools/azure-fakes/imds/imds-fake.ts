// The fake instance metadata service of one Azure machine as tests see it: the environment
// that points @azure/identity at it, and the methods that give the machine managed identities.
import { existsSync } from 'node:fs';
import type { FakeHttpsServer } from '../shared/https-server';
import type { ManagedIdentity, ManagedIdentityMachine } from './machine';

/**
 * The variable that moves the IMDS endpoint of @azure/identity 4.13.1 (through MSAL Node 5,
 * `Imds.tryCreate` in @azure/msal-node) from http://169.254.169.254 to another host. The
 * credential then also skips its availability probe of 169.254.169.254.
 */
export const IMDS_HOST_VARIABLE = 'AZURE_POD_IDENTITY_AUTHORITY_HOST';

/**
 * Variables that make MSAL Node pick another managed identity source than IMDS (App Service,
 * Service Fabric, Machine Learning, Cloud Shell, Azure Arc) or make @azure/identity use
 * workload identity instead. A process that uses this fake must not have them.
 */
export const OTHER_IDENTITY_SOURCE_VARIABLES = [
  'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'IDENTITY_SERVER_THUMBPRINT', 'IMDS_ENDPOINT', 'MSI_ENDPOINT', 'MSI_SECRET',
  'AZURE_FEDERATED_TOKEN_FILE',
];

/**
 * The Azure Arc agent's file that MSAL Node looks for (`AzureArc.getEnvironmentVariables`). Where
 * it exists, MSAL uses the Arc agent on this machine instead of IMDS, whatever the environment.
 */
const AZURE_ARC_AGENT_FILE = '/opt/azcmagent/bin/himds';

/** Throws when MSAL Node on this machine would ignore the fake's environment. */
export function assertImdsSourceSelectable(): void {
  if (process.platform === 'linux' && existsSync(AZURE_ARC_AGENT_FILE)) {
    throw new Error(`${AZURE_ARC_AGENT_FILE} exists, so MSAL would ask this machine's Azure Arc agent for tokens instead of the fake IMDS.`);
  }
}

export class ImdsFake {
  constructor(
    /** The machine's identities, shared with the token endpoint. */
    readonly machine: ManagedIdentityMachine,
    private readonly server: FakeHttpsServer,
  ) {}

  /** The base URL, such as `http://127.0.0.1:41234`, that stands for `http://169.254.169.254`. */
  get url(): string {
    return this.server.url;
  }

  /** Returns the environment variables that point a process's ManagedIdentityCredential at this fake. */
  environment(): Record<string, string> {
    return { [IMDS_HOST_VARIABLE]: this.url };
  }

  /** Turns on the machine's system-assigned identity, in the default tenant unless `tenantId` is given. */
  enableSystemAssigned(options: { tenantId?: string } = {}): ManagedIdentity {
    return this.machine.enableSystemAssigned(options);
  }

  disableSystemAssigned(): void {
    this.machine.disableSystemAssigned();
  }

  /** Creates a user-assigned identity and assigns it to the machine. */
  assignUserAssigned(options: { name?: string; tenantId?: string; subscriptionId?: string } = {}): ManagedIdentity {
    return this.machine.assignUserAssigned(options);
  }

  unassignUserAssigned(clientId: string): void {
    this.machine.unassignUserAssigned(clientId);
  }
}
