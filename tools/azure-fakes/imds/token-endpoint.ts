// The managed identity token endpoint of the Azure Instance Metadata Service (IMDS), as
// "How to use managed identities for Azure resources on an Azure VM to acquire an access token"
// (MicrosoftDocs/entra-docs, how-to-use-vm-token.md) describes it:
//   GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/
//       with the header `Metadata: true`, and optionally one of client_id, object_id, msi_res_id
// A token response is `{ access_token, refresh_token: "", expires_in, expires_on, not_before,
// resource, token_type }` with the numbers as strings. Errors are `{ error, error_description }` with 400.
import type { EntraDirectory } from '../entra/directory';
import { entraErrors } from '../entra/errors';
import { issueAccessToken } from '../entra/tokens';
import { headerValue, type FakeRequest, type FakeResponse } from '../shared/https-server';
import type { IdentitySelector, ManagedIdentityMachine } from './machine';

export const IMDS_TOKEN_PATH = '/metadata/identity/oauth2/token';

/**
 * API versions that serve managed identity tokens: the versions that "Azure Instance Metadata
 * Service" (MicrosoftDocs/azure-docs, instance-metadata-service.md) lists, from 2018-02-01, the
 * version that introduced the identity endpoint. NOTE: the list stops at the doc's last update.
 */
export const IMDS_IDENTITY_API_VERSIONS = [
  '2018-02-01', '2018-04-02', '2018-10-01', '2019-02-01', '2019-03-11', '2019-04-30', '2019-06-01', '2019-06-04',
  '2019-08-01', '2019-08-15', '2019-11-01', '2020-06-01', '2020-07-15', '2020-09-01', '2020-10-01', '2020-12-01',
  '2021-01-01', '2021-02-01', '2021-03-01', '2021-05-01',
];

export interface ImdsContext {
  directory: EntraDirectory;
  machine: ManagedIdentityMachine;
  /** Receives every access token the endpoint issues. */
  onIssued: (token: string) => void;
}

export function handleImdsRequest(context: ImdsContext, request: FakeRequest): FakeResponse {
  // MSAL Node normalizes an endpoint moved by AZURE_POD_IDENTITY_AUTHORITY_HOST to end in a slash.
  if (request.url.pathname.replace(/\/$/, '') !== IMDS_TOKEN_PATH) {
    return { status: 404, text: `The fake IMDS serves no ${request.url.pathname}.` };
  }
  // The documentation shows only GET requests, so the fake rejects other methods.
  if (request.method !== 'GET') return { status: 405, headers: { Allow: 'GET' }, text: 'Method not allowed.' };
  // IMDS requires the header as an SSRF mitigation, and its value must be "true" in lower case.
  if (headerValue(request, 'metadata') !== 'true') return imdsError('bad_request_102', 'Required metadata header not specified');

  const query = request.url.searchParams;
  const apiVersion = query.get('api-version');
  if (!apiVersion) return versionError('Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds');
  if (!IMDS_IDENTITY_API_VERSIONS.includes(apiVersion)) {
    // IMDS documents only the text for a missing version. NOTE: this text for an unsupported
    // version follows IMDS test doubles in public client code, not a Microsoft document.
    return versionError('Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds');
  }
  const resource = query.get('resource');
  // The text for a missing resource is the one IMDS returns, as quoted in Azure/aad-pod-identity
  // pull request "validate resource param exists".
  if (!resource) return imdsError('invalid_request', "Required query variable 'resource' is missing");

  const selector = identitySelector(query);
  if (selector === 'several') {
    // The text is the fake's own, because the documentation only says that each parameter is optional.
    return imdsError('invalid_request', 'Only one of client_id, object_id and msi_res_id may be given.');
  }
  const lookup = context.machine.find(selector);
  if ('failure' in lookup) {
    // Azure/aad-pod-identity issues quote both texts from IMDS responses ("Multiple user assigned
    // identities exist, ..." and "Identity not found").
    return lookup.failure === 'ambiguous'
      ? imdsError('invalid_request', 'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request')
      : imdsError('invalid_request', 'Identity not found');
  }
  const audience = context.directory.findResource(resource);
  if (!audience) {
    const tenant = context.directory.tenant(lookup.identity.tenantId);
    return imdsError('invalid_resource', `AADSTS50001: The application named ${resource} wasn't found in the tenant named ${tenant?.id ?? lookup.identity.tenantId}. This message shows if the tenant administrator hasn't installed the application or no tenant user consented to it. You might have sent your authentication request to the wrong tenant.`);
  }

  if (!context.directory.mayIssueToken(lookup.app.objectId, audience)) {
    return imdsError('invalid_request', entraErrors.storageRoleMissing(lookup.app.appId, audience).message);
  }
  const issued = issueAccessToken(context.directory, lookup.app, audience, 'managedIdentity');
  context.onIssued(issued.token);
  const { iat, nbf, exp } = issued.claims;
  return {
    status: 200,
    json: {
      access_token: issued.token,
      refresh_token: '',
      expires_in: String(exp - iat),
      expires_on: String(exp),
      not_before: String(nbf),
      resource,
      token_type: 'Bearer',
    },
  };
}

function identitySelector(query: URLSearchParams): IdentitySelector | 'several' {
  const selector: IdentitySelector = {
    clientId: query.get('client_id') ?? undefined,
    objectId: query.get('object_id') ?? undefined,
    resourceId: query.get('msi_res_id') ?? undefined,
  };
  return Object.values(selector).filter(Boolean).length > 1 ? 'several' : selector;
}

function imdsError(error: string, description: string): FakeResponse {
  return { status: 400, json: { error, error_description: description } };
}

/** Builds the response to a missing or unsupported api-version, which lists the newest versions first. */
function versionError(message: string): FakeResponse {
  return { status: 400, json: { error: message, 'newest-versions': IMDS_IDENTITY_API_VERSIONS.slice(-3).reverse() } };
}
