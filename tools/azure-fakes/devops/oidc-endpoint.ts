// The Azure DevOps "Oidctoken - Create" REST API (learn.microsoft.com, Azure DevOps REST 7.1):
//   POST {collectionUri}{project}/_apis/distributedtask/hubs/{hub}/plans/{planId}/jobs/{jobId}/oidctoken
//        ?api-version=7.1[&serviceConnectionId={id}]
// authenticated with the job's System.AccessToken as a bearer token. System.OidcRequestUri is
// this URL without the query, with the project id. The response is `{ "oidcToken": JWT }`.
import { TOKEN_EXCHANGE_AUDIENCE } from '../entra/directory';
import { headerValue, type FakeRequest, type FakeResponse } from '../shared/https-server';
import { newGuid } from '../shared/ids';
import type { JwtSigningKey } from '../shared/jwt';
import { checkApiVersion, devopsError, signInRedirect } from './responses';
import type { DevOpsOrganization, PipelineJob, ServiceConnection } from './organization';

/** Azure DevOps OIDC tokens are valid for five minutes and back-date `nbf` by ten. */
const TOKEN_LIFETIME_SECONDS = 300;
const NOT_BEFORE_OFFSET_SECONDS = 600;

export interface OidcEndpointContext {
  organization: DevOpsOrganization;
  signingKey: JwtSigningKey;
  now: () => number;
  /** Signs a token as the fake Entra ID, for connections that use the Entra issuer. */
  issueEntraToken: (tenantId: string, subject: string, audience: string) => string;
}

const OIDC_PATH = /^\/([^/]+)\/([^/]+)\/_apis\/distributedtask\/hubs\/([^/]+)\/plans\/([^/]+)\/jobs\/([^/]+)\/oidctoken$/i;

export function handleDevOpsRequest(context: OidcEndpointContext, request: FakeRequest): FakeResponse {
  if (request.url.pathname === '/_signin') {
    return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, text: '<html><body>Sign in to Azure DevOps (fake).</body></html>' };
  }
  const match = OIDC_PATH.exec(request.url.pathname);
  if (!match || decodeURIComponent(match[1]).toLowerCase() !== context.organization.name.toLowerCase()) {
    return { status: 404, text: `The fake Azure DevOps organization serves no ${request.url.pathname}.` };
  }
  const [projectSegment, hub, planId, jobId] = match.slice(2).map(decodeURIComponent);

  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(request, 'authorization') ?? '');
  const job = bearer ? context.organization.activeJob(bearer[1]) : undefined;
  if (!job) return unauthenticated(request);
  if (request.method !== 'POST') return { status: 405, headers: { Allow: 'POST' }, text: 'Method not allowed.' };
  const versionError = checkApiVersion(request);
  if (versionError) return versionError;

  const project = context.organization.project(projectSegment);
  if (!project) {
    return devopsError(
      404,
      'ProjectDoesNotExistWithNameException',
      `TF200016: The following project does not exist: ${projectSegment}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
      'Microsoft.TeamFoundation.Core.WebApi',
    );
  }
  // Azure DevOps documents no error for a plan or job that the access token does not belong
  // to, so the fake returns 404 with the names of the orchestration exceptions.
  if (project.id !== job.projectId || hub.toLowerCase() !== job.hub || planId.toLowerCase() !== job.planId) {
    return devopsError(404, 'TaskOrchestrationPlanNotFoundException', `Plan ${planId} not found.`, 'Microsoft.TeamFoundation.DistributedTask.WebApi');
  }
  if (jobId.toLowerCase() !== job.jobId) {
    return devopsError(404, 'TaskOrchestrationJobNotFoundException', `Job ${jobId} not found in plan ${planId}.`, 'Microsoft.TeamFoundation.DistributedTask.WebApi');
  }

  const connectionId = request.url.searchParams.get('serviceConnectionId');
  if (connectionId === null) return { status: 200, json: { oidcToken: pipelineToken(context, job, project.name) } };
  const connection = context.organization.serviceConnection(connectionId);
  if (!connection || !job.serviceConnectionIds.has(connection.id)) return unreferencedConnection(connectionId, job);
  return { status: 200, json: { oidcToken: serviceConnectionToken(context, connection) } };
}

function serviceConnectionToken(context: OidcEndpointContext, connection: ServiceConnection): string {
  if (connection.issuerKind === 'entra') return context.issueEntraToken(connection.tenantId, connection.subject, TOKEN_EXCHANGE_AUDIENCE);
  return context.signingKey.sign({ jti: newGuid(), sub: connection.subject, aud: TOKEN_EXCHANGE_AUDIENCE, iss: connection.issuer, ...times(context) });
}

/** Issues the token for a request without serviceConnectionId, which names the pipeline instead of a connection. */
function pipelineToken(context: OidcEndpointContext, job: PipelineJob, projectName: string): string {
  const organization = context.organization;
  return context.signingKey.sign({
    jti: newGuid(),
    sub: `p://${organization.name}/${projectName}/${job.pipelineName}`,
    aud: TOKEN_EXCHANGE_AUDIENCE,
    org_id: organization.id,
    prj_id: job.projectId,
    iss: organization.issuer,
    ...times(context),
  });
}

function times(context: OidcEndpointContext): { nbf: number; exp: number; iat: number } {
  const now = Math.floor(context.now() / 1000);
  return { nbf: now - NOT_BEFORE_OFFSET_SECONDS, exp: now + TOKEN_LIFETIME_SECONDS, iat: now };
}

/**
 * Redirects an unauthenticated request to the sign-in page (the fake's `/_signin`), as Azure
 * DevOps does, unless the request sends `X-TFS-FedAuthRedirect: Suppress`, which gets 401.
 */
function unauthenticated(request: FakeRequest): FakeResponse {
  if ((headerValue(request, 'x-tfs-fedauthredirect') ?? '').toLowerCase() === 'suppress') {
    return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, text: '' };
  }
  return signInRedirect(request);
}

/**
 * Rejects a connection that the job does not reference. Since March 2026 Azure DevOps issues
 * tokens only for service connections that the job references, and returns this message otherwise.
 * NOTE: The status code of that response is not public, so the fake uses 400.
 */
function unreferencedConnection(connectionId: string, job: PipelineJob): FakeResponse {
  const value = `There is no explicit reference to service connection ${connectionId} from current stage ${job.jobPath}.__default.`;
  return { status: 400, json: { count: value.length, value } };
}
