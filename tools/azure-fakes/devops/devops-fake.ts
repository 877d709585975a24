// The fake Azure DevOps organization as tests see it: its collection URI and the methods that
// add projects and service connections and start pipeline jobs.
import type { FakeHttpsServer } from '../shared/https-server';
import type { DevOpsOrganization, DevOpsProject, FederationIssuerKind, ServiceConnection } from './organization';

/** The values of the agent's system variables that a task in the job reads. */
export interface StartedJob {
  /** System.AccessToken. */
  accessToken: string;
  /** System.OidcRequestUri. */
  oidcRequestUri: string;
  /** System.CollectionUri, such as `https://127.0.0.1:41234/fabrikam/`. */
  collectionUri: string;
  /** System.TeamProjectId. */
  projectId: string;
  /** System.PlanId. */
  planId: string;
  /** System.JobId. */
  jobId: string;
}

export class DevOpsFake {
  constructor(
    readonly organization: DevOpsOrganization,
    private readonly server: FakeHttpsServer,
    /** The tenant that service connections use unless a test names another. */
    private readonly defaultTenantId: string,
  ) {}

  /** The server's base URL. The organization's collection URI is `{url}/{organization}/`. */
  get url(): string {
    return this.server.url;
  }

  get collectionUri(): string {
    return this.organization.collectionUri;
  }

  get organizationName(): string {
    return this.organization.name;
  }

  get organizationId(): string {
    return this.organization.id;
  }

  /** `https://vstoken.dev.azure.com/{organizationId}`, the Azure DevOps issuer of this organization. */
  get issuer(): string {
    return this.organization.issuer;
  }

  addProject(name: string): DevOpsProject {
    return this.organization.addProject(name);
  }

  /**
   * Adds a service connection to a project (by name or id). Its `issuer` and `subject` are the
   * values to register on the app's federated credential. `issuer` chooses the Azure DevOps
   * issuer (the default) or the Microsoft Entra issuer.
   */
  addServiceConnection(options: { project: string; name: string; id?: string; tenantId?: string; issuer?: FederationIssuerKind }): ServiceConnection {
    return this.organization.addServiceConnection({ ...options, tenantId: options.tenantId ?? this.defaultTenantId });
  }

  /** Starts a job in a project that references the given service connection ids. */
  startJob(options: { project: string; serviceConnections?: string[]; pipelineName?: string; stage?: string; job?: string }): StartedJob {
    const job = this.organization.startJob(options);
    return {
      accessToken: job.accessToken,
      oidcRequestUri: this.organization.oidcRequestUri(job),
      collectionUri: this.organization.collectionUri,
      projectId: job.projectId,
      planId: job.planId,
      jobId: job.jobId,
    };
  }

  /** Ends a job: its access token is rejected from now on. */
  endJob(accessToken: string): void {
    this.organization.endJob(accessToken);
  }
}
