// Reads and writes kubeconfig documents the way client-node's KubeConfig does (loadFromString,
// exportConfig), with the same parsers from its config_types module. The settings are parsed
// before the first log line, and importing KubeConfig loads client-node's whole generated API
// client: a bundle of KubeConfig alone started about 70 ms later than an empty script on Node 20
// (2-core machine).
// NOTE: config_types.js is not a documented entry point of client-node; the exact version in
// package.json and the type check keep this import valid.
import {
  exportCluster, exportContext, exportUser, newClusters, newContexts, newUsers, type Cluster, type Context, type User,
} from '@kubernetes/client-node/dist/config_types.js';
import { load } from 'js-yaml';

export type { Cluster, Context, User };

/** A parsed kubeconfig, with the fields KubeConfig keeps. */
export interface Kubeconfig {
  clusters: Cluster[];
  contexts: Context[];
  users: User[];
  currentContext: string;
}

/**
 * Parses kubeconfig YAML or JSON as KubeConfig.loadFromString does: it throws on invalid YAML and
 * on an entry without a name, and reads a user's `token-file`.
 */
export function parseKubeconfig(text: string): Kubeconfig {
  const document = load(text) as Record<string, unknown> | null | undefined;
  return {
    clusters: newClusters(document?.clusters),
    contexts: newContexts(document?.contexts),
    users: newUsers(document?.users),
    currentContext: typeof document?.['current-context'] === 'string' ? document['current-context'] : '',
  };
}

export function findContext(config: Kubeconfig, name: string): Context | undefined {
  return config.contexts.find((context) => context.name === name);
}

/** Returns the cluster of the current context, as KubeConfig.getCurrentCluster does. */
export function currentCluster(config: Kubeconfig): Cluster | undefined {
  const context = findContext(config, config.currentContext);
  return context && config.clusters.find((cluster) => cluster.name === context.cluster);
}

/** Returns the user of the current context, as KubeConfig.getCurrentUser does. */
export function currentUser(config: Kubeconfig): User | undefined {
  const context = findContext(config, config.currentContext);
  return context && config.users.find((user) => user.name === context.user);
}

/** Writes the kubeconfig as the JSON that KubeConfig.exportConfig writes, which loadFromString reads back. */
export function exportKubeconfig(config: Kubeconfig): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: config.clusters.map(exportCluster),
    users: config.users.map(exportUser),
    contexts: config.contexts.map(exportContext),
    preferences: {},
    'current-context': config.currentContext,
  });
}
