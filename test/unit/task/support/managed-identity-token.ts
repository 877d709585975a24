// Gets one token with the task's credential for an Azure Resource Manager connection with a
// managed identity, and prints the outcome as the last output line (JSON). Tests run it in a
// child process with a prepared environment, because MSAL Node keeps the managed identity
// source and its token cache in static fields for the life of a process.
// Arguments: the user-assigned client id ('' for system-assigned), the scope, the time limit in ms.
import { createArmCredential, getMaskedToken } from '../../../../tasks/KanikoBuildV1/src/azure/credential';
import type { ArmConnection } from '../../../../tasks/KanikoBuildV1/src/settings/types';

export interface TokenOutcome {
  ok: boolean;
  /** The token's claims, when `ok`. */
  claims?: Record<string, unknown>;
  errorName?: string;
  errorMessage?: string;
}

async function main(): Promise<void> {
  const [clientId = '', scope = 'https://management.core.windows.net//.default', timeoutMs = '90000'] = process.argv.slice(2);
  const arm: ArmConnection = {
    connectionId: 'managed-identity-connection',
    tenantId: '00000000-0000-4000-8000-000000000000',
    clientId,
    subscriptionId: '00000000-0000-4000-8000-000000000001',
    resourceManagerUrl: 'https://management.azure.com',
    resourceManagerAudience: 'https://management.core.windows.net/',
    authorityHost: 'https://login.microsoftonline.com',
    auth: { kind: 'managedIdentity' },
  };
  let outcome: TokenOutcome;
  try {
    const token = await getMaskedToken(createArmCredential(arm), scope, new AbortController().signal, Number(timeoutMs));
    outcome = { ok: true, claims: JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown> };
  } catch (error) {
    outcome = { ok: false, errorName: (error as Error).name, errorMessage: (error as Error).message };
  }
  console.log(JSON.stringify(outcome));
}

void main().finally(() => process.exit());
