// Turns settings into everything the run creates: names, labels, the blob, the Secrets and the Pod.
// Pure: it needs no network, so it is tested table-driven.
import type { UserDelegationKey } from '@azure/storage-blob';
import type { V1Namespace, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Settings } from '../settings/types';
import { createReadSas } from '../storage/sas';
import { CONTEXT_URL_VARIABLE, DOWNLOADED_CONTEXT_URL } from './context-download';
import { dockerConfig } from './docker-config';
import {
  BLOB_JOB_METADATA, BLOB_RETENTION_METADATA, JOB_LABEL, keptContextBlobName, labelValue, LABEL_PREFIX, namespaceName, RUN_LABEL, runName,
} from './names';
import { DOCKER_CONFIG_KEY, kanikoPod, STDIN_CONTEXT_URL, STORAGE_KEY_VARIABLE } from './pod';

export interface BuildPlan {
  name: string;
  namespace: string;
  /** The namespace to create before anything else, and delete at the end; set with the createNamespace input. */
  namespaceObject?: V1Namespace;
  /** Labels on every object the run creates. */
  labels: Record<string, string>;
  /**
   * The context archive's blob name: `sha256/<hash>.tar.gz` when the archive is kept for reruns,
   * else named after the run. With the `direct` delivery no blob is created.
   */
  blobName: string;
  /** Whether the blob is kept for reruns after the run, rather than deleted at its end. */
  keepBlob: boolean;
  /**
   * Metadata of the context blob: the days to keep a kept blob, or else the job id, by which
   * the post-job step finds the blob of a killed run.
   */
  blobMetadata: Record<string, string>;
  /** The URL kaniko reads the context from. */
  contextUrl: string;
  /** `repository:tag` for every tag. */
  destinations: string[];
  registrySecret: V1Secret;
  /** The storage account key or the SAS URL; none with the `direct` delivery. */
  storageSecret?: V1Secret;
  /** The values of the secret build arguments; none without them. */
  buildArgumentsSecret?: V1Secret;
  pod: V1Pod;
  /** Set when the podTemplate input shaped the pod. */
  podTemplate?: true;
  /** Values derived from secrets (encoded forms) that must be masked like the secrets themselves. */
  derivedSecrets: string[];
}

/**
 * Plans the run. The read SAS is valid from shortly before `now` (for clock skew) until sasExpiry. With a storage connection,
 * `delegationKey` signs it, and must be valid until then. `contextSha256`, the SHA-256 of the context's tar, names a kept
 * blob when the settings keep uploaded contexts.
 */
export function buildPlan(
  settings: Settings, uniqueSuffix: string, now = new Date(), delegationKey?: UserDelegationKey, contextSha256?: string,
): BuildPlan {
  const name = runName(settings.run.buildId, uniqueSuffix);
  const namespace = settings.pod.createNamespace ? namespaceName(settings.pod.namespace, uniqueSuffix) : settings.pod.namespace;
  const labels = runLabels(settings, name);
  const annotations = runAnnotations(settings);
  const { retentionDays } = settings.context;
  const keepBlob = retentionDays > 0 && contextSha256 !== undefined;
  const blobName = keepBlob ? keptContextBlobName(contextSha256) : `${name}.tar.gz`;
  const blobMetadata: Record<string, string> = keepBlob
    ? { [BLOB_RETENTION_METADATA]: String(retentionDays) }
    : settings.run.jobId ? { [BLOB_JOB_METADATA]: settings.run.jobId } : {};
  const source = contextSource(settings, blobName, now, delegationKey);
  const destinations = settings.image.tags.map((tag) => `${settings.image.repository}:${tag}`);
  const config = dockerConfig([settings.registry, ...settings.pullRegistries]);
  const registrySecretData = base64(config.json);
  const storageSecretData = source.secret ? base64(source.secret.value) : undefined;
  const registrySecretName = `${name}-registry`;
  const storageSecretName = `${name}-storage`;
  const buildArgumentsSecretName = `${name}-build-args`;
  const buildArgumentsData = Object.fromEntries(settings.build.secretBuildArguments.map(({ name: key, value }) => [key, base64(value)]));
  const contextUrl = source.contextUrl;
  return {
    name,
    namespace,
    ...(settings.pod.createNamespace
      ? { namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels, annotations } } }
      : {}),
    labels,
    blobName,
    keepBlob,
    blobMetadata,
    contextUrl,
    destinations,
    registrySecret: secret(registrySecretName, namespace, labels, { [DOCKER_CONFIG_KEY]: registrySecretData }),
    ...(source.secret && storageSecretData
      ? { storageSecret: secret(storageSecretName, namespace, labels, { [source.secret.key]: storageSecretData }) }
      : {}),
    ...(settings.pod.template ? { podTemplate: true as const } : {}),
    ...(settings.build.secretBuildArguments.length > 0
      ? { buildArgumentsSecret: secret(buildArgumentsSecretName, namespace, labels, buildArgumentsData) }
      : {}),
    pod: kanikoPod({
      name, namespace, labels, annotations, contextUrl, destinations,
      build: settings.build, pod: settings.pod, kaniko: settings.kaniko, registrySecretName, storageSecretName, buildArgumentsSecretName,
      delivery: settings.context.delivery, downloadImage: settings.context.downloadImage,
    }),
    derivedSecrets: [
      ...config.auths, config.json, registrySecretData, ...(storageSecretData ? [storageSecretData] : []), ...source.derivedSecrets,
      ...Object.values(buildArgumentsData),
    ],
  };
}

/** Returns the Secrets of the plan, which the run creates before the pod and the pod then owns. */
export function planSecrets(plan: BuildPlan): V1Secret[] {
  return [plan.registrySecret, plan.storageSecret, plan.buildArgumentsSecret].filter((secret) => secret !== undefined);
}

/** Time that a read SAS stays valid beyond the build timeout, for the pod to be scheduled and start. */
export const SAS_VALIDITY_MARGIN_MS = 15 * 60 * 1000;

/** Returns the expiry of the read SAS of a run planned at `now`: the build timeout plus SAS_VALIDITY_MARGIN_MS. */
export function sasExpiry(settings: Settings, now: Date): Date {
  return new Date(now.getTime() + settings.pod.timeoutSeconds * 1000 + SAS_VALIDITY_MARGIN_MS);
}

interface ContextSource {
  /** The `--context` value. */
  contextUrl: string;
  /** The key and value of the storage Secret: the account key, or the SAS URL. */
  secret?: { key: string; value: string };
  /** Secret values besides the Secret's data, such as the SAS signature and URL. */
  derivedSecrets: string[];
}

function contextSource(settings: Settings, blobName: string, now: Date, delegationKey?: UserDelegationKey): ContextSource {
  const { storage } = settings;
  if (settings.context.delivery === 'direct' || !storage) {
    return { contextUrl: STDIN_CONTEXT_URL, derivedSecrets: [] };
  }
  if (settings.context.delivery === 'accountKey') {
    return {
      contextUrl: `${storage.kanikoEndpoint}/${storage.container}/${blobName}`,
      secret: { key: STORAGE_KEY_VARIABLE, value: storage.accessKey },
      derivedSecrets: [],
    };
  }
  const sas = createReadSas(storage, blobName, now, sasExpiry(settings, now), delegationKey);
  return {
    contextUrl: DOWNLOADED_CONTEXT_URL,
    secret: { key: CONTEXT_URL_VARIABLE, value: sas.url },
    derivedSecrets: [sas.url, sas.signature, encodeURIComponent(sas.signature), ...(delegationKey ? [delegationKey.value] : [])],
  };
}

function runLabels(settings: Settings, name: string): Record<string, string> {
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': 'kaniko',
    'app.kubernetes.io/component': 'image-build',
    'app.kubernetes.io/managed-by': 'kaniko-build-on-aks',
    [RUN_LABEL]: name,
    [`${LABEL_PREFIX}/build-id`]: labelValue(settings.run.buildId),
    [JOB_LABEL]: labelValue(settings.run.jobId),
  };
  return Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== ''));
}

function runAnnotations(settings: Settings): Record<string, string> {
  const annotations: Record<string, string | undefined> = {
    [`${LABEL_PREFIX}/project`]: settings.run.teamProject,
    [`${LABEL_PREFIX}/pipeline`]: settings.run.definitionName,
    [`${LABEL_PREFIX}/build-url`]: settings.run.buildUrl,
    [`${LABEL_PREFIX}/repository`]: settings.image.repository,
  };
  return Object.fromEntries(Object.entries(annotations).filter((entry): entry is [string, string] => !!entry[1]));
}

function secret(name: string, namespace: string, labels: Record<string, string>, data: Record<string, string>): V1Secret {
  return { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace, labels }, data };
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
