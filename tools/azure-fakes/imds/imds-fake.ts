// The fake instance metadata service of one Azure machine as tests see it: the environment
// that points @azure/identity at it, and the methods that give the machine managed identities.
import { existsSync } from 'node:fs';
import type { FakeHttpsServer } from '../shared/https-server';
import type { ManagedIdentity, ManagedIdentityMachine } from './machine';

/**
 * The variable that moves the IMDS endpoint of @azure/identity 4.13.1 (through MSAL Node 5,
 * `Imds.tryCreate` in @azure/msal-node) from http://169.254.169.254 to another host. With it
 * set, the IMDS availability probe that DefaultAzureCredential runs sends no request either.
 * MSAL picks IMDS only when the process has none of the variables of the other sources (such as
 * IDENTITY_ENDPOINT or MSI_ENDPOINT), and @azure/identity takes AZURE_FEDERATED_TOKEN_FILE first.
 */
export const IMDS_HOST_VARIABLE = 'AZURE_POD_IDENTITY_AUTHORITY_HOST';

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
    /** The access tokens the endpoint issued, oldest first. */
    private readonly issued: string[],
  ) {}

  /** Returns the access tokens issued so far, for tests that check that no output contains them. */
  issuedTokens(): string[] {
    return [...this.issued];
  }

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
