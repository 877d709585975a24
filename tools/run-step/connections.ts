// Stands in for the service connections that a step's inputs name: a Kubernetes connection from
// a kubeconfig file, a Docker Registry connection from a Docker config.json or from a user name
// and a password in an environment variable. The mapping comes from a small YAML or JSON file,
// and flags override it for the step's cluster and push registry.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { InputDefinition, TaskDefinition } from '../runner/task-definition';
import type { EndpointSpec } from '../runner/types';
import { readRegistryLogin, registryAddress, normalizeHost } from './docker-config';
import { StepInputError } from './errors';

/** The local credentials of one service connection: an entry of the connections file. */
export interface ConnectionEntry {
  /** Kubernetes: the kubeconfig file. */
  kubeconfig?: string;
  /** Kubernetes: the kubeconfig context; default its current context. */
  context?: string;
  /** Docker Registry: the Docker config.json with the credentials. */
  dockerConfig?: string;
  /** Docker Registry: the registry host; default the host of the step's repository, or the config's only registry. */
  registry?: string;
  /** Docker Registry: a user name, with the password in the environment variable `passwordVariable`. */
  username?: string;
  passwordVariable?: string;
}

/** Flags that stand in for the step's Kubernetes connection and push registry connection. */
export interface ConnectionFlags {
  kubeconfig?: string;
  kubeContext?: string;
  dockerConfig?: string;
}

export interface ConnectionsFile {
  path: string;
  entries: Record<string, ConnectionEntry>;
}

const ENTRY_KEYS = new Set(['kubeconfig', 'context', 'dockerConfig', 'registry', 'username', 'passwordVariable']);

/** Reads the connections file: a mapping from connection names to ConnectionEntry. */
export function readConnectionsFile(path: string): ConnectionsFile {
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StepInputError(`Cannot read the connections file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (document === null || document === undefined) return { path, entries: {} };
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new StepInputError(`The connections file ${path} must map connection names to settings, such as "aks-build-cluster: { kubeconfig: ~/.kube/config }".`);
  }
  const entries: Record<string, ConnectionEntry> = {};
  for (const [name, value] of Object.entries(document as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StepInputError(`The connections file ${path}: the entry ${name} must be a mapping of settings.`);
    }
    const unknown = Object.keys(value).filter((key) => !ENTRY_KEYS.has(key));
    if (unknown.length > 0) {
      throw new StepInputError(`The connections file ${path}: the entry ${name} has unknown setting(s) ${unknown.join(', ')}. Known: ${[...ENTRY_KEYS].join(', ')}.`);
    }
    entries[name] = Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)])) as ConnectionEntry;
  }
  return { path, entries };
}

export interface ConnectionContext {
  definition: TaskDefinition;
  file?: ConnectionsFile;
  flags: ConnectionFlags;
  environment: Record<string, string | undefined>;
  /** The step's repository input, expanded, whose host picks the Docker config entry of the push registry. */
  repository: string;
}

export interface MappedConnections {
  /** Connection inputs by task.json name, with each connection name replaced by its endpoint's id. */
  inputs: Record<string, string>;
  endpoints: Record<string, EndpointSpec>;
}

/**
 * Builds an endpoint for every connection that the step's connection inputs name.
 * @param inputs the step's inputs by the name or alias it used, with variables expanded.
 * @throws StepInputError for a connection that the file and flags do not map, or that this command cannot reproduce.
 */
export function mapConnections(inputs: Record<string, string>, context: ConnectionContext): MappedConnections {
  const mapped: MappedConnections = { inputs: {}, endpoints: {} };
  for (const input of context.definition.inputs) {
    const kind = input.type.toLowerCase().replace(/^connectedservice:/, '');
    if (kind === input.type.toLowerCase()) continue;
    const value = givenValue(inputs, input);
    if (!value) continue;
    const ids = value.split(',').map((name) => name.trim()).filter(Boolean).map((name) => {
      const id = randomUUID();
      mapped.endpoints[id] = endpointFor(kind, input.name, name, context);
      return id;
    });
    mapped.inputs[input.name] = ids.join(',');
  }
  return mapped;
}

function givenValue(inputs: Record<string, string>, input: InputDefinition): string | undefined {
  const names = [input.name, ...input.aliases].map((name) => name.toLowerCase());
  return Object.entries(inputs).find(([name]) => names.includes(name.toLowerCase()))?.[1].trim();
}

function endpointFor(kind: string, input: string, connection: string, context: ConnectionContext): EndpointSpec {
  const entry = context.file?.entries[connection];
  const base = context.file ? dirname(context.file.path) : process.cwd();
  if (kind === 'kubernetes') {
    const kubeconfig = context.flags.kubeconfig ?? (entry?.kubeconfig ? resolvePath(entry.kubeconfig, base) : undefined);
    if (!kubeconfig) throw unmapped(input, connection, context, 'kubeconfig: PATH', '--kubeconfig PATH');
    return kubeconfigEndpoint(kubeconfig, context.flags.kubeContext ?? entry?.context, connection);
  }
  if (kind === 'dockerregistry') return registryEndpoint(input, connection, entry, base, context);
  throw new StepInputError(`Input ${input} names the Azure Resource Manager connection ${connection}, which this command cannot reproduce. `
    + 'Override the input: for the cluster, --input connectionType=kubernetesServiceConnection --input kubernetesServiceConnection=NAME with --kubeconfig; '
    + `for storage, --input ${input}= and the key in storageAccessKey, such as --input 'storageAccessKey=$(STORAGE_KEY)' with the environment variable STORAGE_KEY.`);
}

function registryEndpoint(input: string, connection: string, entry: ConnectionEntry | undefined, base: string, context: ConnectionContext): EndpointSpec {
  // The flag replaces the push registry's connection only; base image registries need entries of their own.
  const flag = input === 'containerRegistry' ? context.flags.dockerConfig : undefined;
  if (!flag && entry?.username) {
    if (!entry.registry || !entry.passwordVariable) {
      throw new StepInputError(`The connections file ${context.file?.path}: the entry ${connection} needs registry: and passwordVariable: with username:.`);
    }
    const password = context.environment[entry.passwordVariable];
    if (!password) {
      throw new StepInputError(`Connection ${connection}: the environment variable ${entry.passwordVariable}, which the connections file names as its password, is not set.`);
    }
    return usernamePassword(normalizeHost(entry.registry), entry.username, password);
  }
  const config = flag ?? (entry?.dockerConfig ? resolvePath(entry.dockerConfig, base) : undefined);
  if (!config) throw unmapped(input, connection, context, 'dockerConfig: PATH (or username: and passwordVariable:)', input === 'containerRegistry' ? '--docker-config PATH' : undefined);
  const registry = entry?.registry ?? (input === 'containerRegistry' ? repositoryHost(context.repository) : undefined);
  const login = readRegistryLogin(config, registry, connection);
  return usernamePassword(login.host, login.username, login.password);
}

function usernamePassword(host: string, username: string, password: string): EndpointSpec {
  const address = registryAddress(host);
  return { url: address, scheme: 'UsernamePassword', parameters: { registry: address, username, password }, data: { registrytype: 'Others' } };
}

/** Reads the kubeconfig and returns a Kubeconfig-kind connection for it, as the agent passes one. */
function kubeconfigEndpoint(path: string, contextName: string | undefined, connection: string): EndpointSpec {
  let text: string;
  let document: { 'current-context'?: string; contexts?: Array<{ name?: string; context?: { cluster?: string } }>; clusters?: Array<{ name?: string; cluster?: { server?: string } }> };
  try {
    text = readFileSync(path, 'utf8');
    document = (parse(text) ?? {}) as typeof document;
  } catch (error) {
    throw new StepInputError(`Connection ${connection}: cannot read the kubeconfig ${path}: ${(error as Error).message}`, { cause: error });
  }
  const name = contextName ?? document['current-context'];
  const context = document.contexts?.find((candidate) => candidate.name === name);
  if (!name || !context) {
    const known = document.contexts?.map((candidate) => candidate.name).join(', ') || 'none';
    throw new StepInputError(`Connection ${connection}: the kubeconfig ${path} has no context ${name ?? '(no current-context)'}. `
      + `Its contexts: ${known}. Choose one with --kube-context or context: in the connections file.`);
  }
  const server = document.clusters?.find((cluster) => cluster.name === context.context?.cluster)?.cluster?.server ?? '';
  return { url: server, scheme: 'Kubeconfig', parameters: { kubeconfig: text }, data: { authorizationType: 'Kubeconfig', clusterContext: name } };
}

function unmapped(input: string, connection: string, context: ConnectionContext, setting: string, flag?: string): StepInputError {
  const where = context.file ? `the connections file ${context.file.path} does not map it` : 'no connections file was given';
  const fix = [`add "${connection}:" with ${setting} to a connections file (--connections FILE)`, flag ? `pass ${flag}` : undefined].filter(Boolean).join(', or ');
  return new StepInputError(`Input ${input} names the service connection ${connection}, but ${where}. To fix this, ${fix}.`);
}

/** Returns the registry host the repository input starts with, or undefined for a Docker Hub path such as `team/web`. */
function repositoryHost(repository: string): string | undefined {
  const first = repository.split('/')[0];
  return repository.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : undefined;
}

/** Resolves `~/` to the home folder and a relative path against `base`. */
function resolvePath(path: string, base: string): string {
  return path.startsWith('~/') ? resolve(homedir(), path.slice(2)) : resolve(base, path);
}
