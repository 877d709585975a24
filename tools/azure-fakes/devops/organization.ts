// The state of the fake Azure DevOps organization: projects, service connections and the
// running pipeline jobs whose System.AccessToken may request OIDC tokens.
import { randomBytes } from 'node:crypto';
import { WELL_KNOWN_RESOURCES } from '../entra/directory';
import { guidToBase64Url, isGuid, newGuid } from '../shared/ids';

export interface DevOpsProject {
  id: string;
  name: string;
}

/**
 * The issuer of a service connection's OIDC tokens. Older workload identity federation
 * connections use the Azure DevOps issuer (`https://vstoken.dev.azure.com/{organizationId}`).
 * Connections created since November 2025 use the Microsoft Entra issuer, because Microsoft
 * retires the Azure DevOps issuer for most connections on 2027-07-01 ("Convert service
 * connections to the Microsoft Entra issuer", learn.microsoft.com).
 */
export type FederationIssuerKind = 'azure-devops' | 'entra';

export interface ServiceConnection {
  id: string;
  name: string;
  projectId: string;
  issuerKind: FederationIssuerKind;
  /** The tenant of the connection's app, which Entra-issued tokens name. */
  tenantId: string;
  /** The `iss` of the connection's OIDC tokens, to register on a federated credential. */
  issuer: string;
  /** The `sub` of the connection's OIDC tokens, to register on a federated credential. */
  subject: string;
}

export interface PipelineJob {
  /** The job's System.AccessToken. */
  accessToken: string;
  projectId: string;
  hub: string;
  planId: string;
  jobId: string;
  pipelineName: string;
  /** `Stage.Job` as Azure DevOps names the job in error messages. */
  jobPath: string;
  /** Service connections that the job references. Only these issue tokens to it. */
  serviceConnectionIds: Set<string>;
  active: boolean;
}

export interface OrganizationOptions {
  name: string;
  id: string;
  /** The v2.0 issuer of the fake Entra ID for a tenant. */
  entraIssuer: (tenantId: string) => string;
}

export class DevOpsOrganization {
  private readonly projects = new Map<string, DevOpsProject>();
  private readonly connections = new Map<string, ServiceConnection>();
  private readonly jobs = new Map<string, PipelineJob>();
  /** Base URL of the fake's server, set once it listens. The collection URI starts with it. */
  baseUrl = '';

  constructor(private readonly options: OrganizationOptions) {}

  get name(): string {
    return this.options.name;
  }

  get id(): string {
    return this.options.id;
  }

  /** `{baseUrl}/{organization}/`, the value of System.CollectionUri. */
  get collectionUri(): string {
    return `${this.baseUrl}/${this.options.name}/`;
  }

  /** The Azure DevOps issuer of this organization's tokens. */
  get issuer(): string {
    return `https://vstoken.dev.azure.com/${this.options.id}`;
  }

  addProject(name: string, id = newGuid()): DevOpsProject {
    const project = { id: id.toLowerCase(), name };
    this.projects.set(project.id, project);
    return project;
  }

  /** Finds a project by id or by name (names compare case-insensitively, as Azure DevOps does). */
  project(idOrName: string): DevOpsProject | undefined {
    return this.projects.get(idOrName.toLowerCase()) ?? [...this.projects.values()].find((project) => project.name.toLowerCase() === idOrName.toLowerCase());
  }

  addServiceConnection(options: { project: string; name: string; tenantId: string; id?: string; issuer?: FederationIssuerKind }): ServiceConnection {
    const project = this.requireProject(options.project);
    const id = (options.id ?? newGuid()).toLowerCase();
    if (!isGuid(id)) throw new Error(`A service connection id must be a GUID; got ${JSON.stringify(options.id)}.`);
    const issuerKind = options.issuer ?? 'azure-devops';
    const connection: ServiceConnection = {
      id,
      name: options.name,
      projectId: project.id,
      issuerKind,
      tenantId: options.tenantId.toLowerCase(),
      issuer: issuerKind === 'entra' ? this.options.entraIssuer(options.tenantId) : this.issuer,
      subject:
        issuerKind === 'entra'
          ? `/eid1/c/pub/t/${guidToBase64Url(options.tenantId)}/a/${guidToBase64Url(WELL_KNOWN_RESOURCES.azureDevOps)}/sc/${this.options.id}/${id}`
          : `sc://${this.options.name}/${project.name}/${options.name}`,
    };
    this.connections.set(id, connection);
    return connection;
  }

  serviceConnection(id: string): ServiceConnection | undefined {
    return this.connections.get(id.toLowerCase());
  }

  /** Starts a job that references `serviceConnections` (ids) and returns it with its access token. */
  startJob(options: { project: string; serviceConnections?: string[]; pipelineName?: string; hub?: string; stage?: string; job?: string }): PipelineJob {
    const project = this.requireProject(options.project);
    const job: PipelineJob = {
      accessToken: randomBytes(32).toString('base64url'),
      projectId: project.id,
      hub: (options.hub ?? 'build').toLowerCase(),
      planId: newGuid(),
      jobId: newGuid(),
      pipelineName: options.pipelineName ?? 'pipeline',
      jobPath: `${options.stage ?? '__default'}.${options.job ?? 'Job'}`,
      serviceConnectionIds: new Set((options.serviceConnections ?? []).map((id) => id.toLowerCase())),
      active: true,
    };
    this.jobs.set(job.accessToken, job);
    return job;
  }

  /** Ends a job. Its access token stops working, as System.AccessToken does when a job finishes. */
  endJob(accessToken: string): void {
    const job = this.jobs.get(accessToken);
    if (job) job.active = false;
  }

  /** Returns the running job that owns an access token. */
  activeJob(accessToken: string): PipelineJob | undefined {
    const job = this.jobs.get(accessToken);
    return job?.active ? job : undefined;
  }

  /** System.OidcRequestUri of a job. */
  oidcRequestUri(job: PipelineJob): string {
    return `${this.collectionUri}${job.projectId}/_apis/distributedtask/hubs/${job.hub}/plans/${job.planId}/jobs/${job.jobId}/oidctoken`;
  }

  private requireProject(idOrName: string): DevOpsProject {
    const project = this.project(idOrName);
    if (!project) throw new Error(`Project ${idOrName} does not exist in the fake Azure DevOps organization ${this.options.name}.`);
    return project;
  }
}
