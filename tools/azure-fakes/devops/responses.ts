// Error responses and api-version handling of the fake Azure DevOps REST API. Azure DevOps
// errors are JSON objects with `$id`, `innerException`, `message`, `typeName`, `typeKey`,
// `errorCode` and `eventId` (as quoted in the Azure SDK's AzurePipelinesCredential
// troubleshooting guide).
import type { FakeRequest, FakeResponse } from '../shared/https-server';

const WEB_API_NAMESPACE = 'Microsoft.VisualStudio.Services.WebApi';

export function devopsError(status: number, typeKey: string, message: string, namespace = WEB_API_NAMESPACE): FakeResponse {
  return {
    status,
    json: { $id: '1', innerException: null, message, typeName: `${namespace}.${typeKey}, ${namespace}`, typeKey, errorCode: 0, eventId: 3000 },
  };
}

/** Builds the 302 redirect that Azure DevOps sends to its sign-in page, here the fake's own `/_signin`. */
export function signInRedirect(request: FakeRequest): FakeResponse {
  const location = `${request.url.origin}/_signin?realm=dev.azure.com&reply_to=${encodeURIComponent(request.url.href)}`;
  return {
    status: 302,
    headers: { Location: location, 'Content-Type': 'text/html; charset=utf-8' },
    text: `<html><head><title>Object moved</title></head><body>\r\n<h2>Object moved to <a href="${location}">here</a>.</h2>\r\n</body></html>`,
  };
}

/**
 * Checks the api-version of the query or of the Accept header (`application/json;
 * api-version=7.1`). The oidctoken resource exists from 7.1-preview.1. AzurePipelinesCredential
 * sends 7.1, and the REST reference names 7.1-preview.1.
 * The accepted range (7.1 to 7.2-preview) is the fake's model of Azure DevOps Services, and the
 * messages for versions outside it are the fake's own.
 */
export function checkApiVersion(request: FakeRequest): FakeResponse | undefined {
  const accept = /api-version=([^;,\s]+)/i.exec(String(request.headers.accept ?? ''));
  const version = request.url.searchParams.get('api-version') ?? accept?.[1];
  if (!version) {
    return devopsError(
      400,
      'VssVersionNotSpecifiedException',
      `No api-version was supplied for the "${request.method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").`,
    );
  }
  const parsed = /^(\d+)\.(\d+)(-preview(\.\d+)?)?$/.exec(version);
  if (!parsed) return devopsError(400, 'VssInvalidApiVersionException', `The api-version "${version}" is not in the form Major.Minor[-preview[.Revision]].`);
  const number = Number(parsed[1]) * 100 + Number(parsed[2]);
  const preview = parsed[3] !== undefined;
  if (number < 701) return devopsError(404, 'VssResourceNotFoundException', `The oidctoken resource is not available in api-version ${version}; it requires 7.1 or later.`);
  if (number > 702) {
    return devopsError(
      400,
      'VssVersionOutOfRangeException',
      `The requested REST API version of ${version} is out of range for this server. The latest REST API version this server supports is 7.2.`,
    );
  }
  if (number === 702 && !preview) {
    return devopsError(
      400,
      'VssInvalidPreviewVersionException',
      `The requested version "7.2" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: "7.2-preview"`,
    );
  }
  return undefined;
}
