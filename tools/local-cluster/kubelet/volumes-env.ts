// Builds a container's environment and mounted files from the pod spec and its Secrets, with
// the kubelet's error messages (kubernetes pkg/kubelet/kubelet_pods.go makeEnvironmentVariables
// and the secret volume plugin).
import { posix } from 'node:path';
import type { V1Container, V1EnvVar, V1Pod, V1Secret, V1Volume } from '@kubernetes/client-node';
import type { ClusterStore } from '../contract';
import type { EmptyDirVolumes } from './empty-dir';

export type MountResult =
  | { ok: true; files: Map<string, Buffer> }
  | { ok: false; volume: string; message: string };

export type EnvResult =
  | { ok: true; env: Record<string, string>; skippedKeys: Array<{ secret: string; keys: string[] }> }
  | { ok: false; message: string };

/** Runtime values of the pod that `fieldRef` environment variables can read. */
export interface PodRuntimeFields {
  nodeName: string;
  hostIP: string;
  podIP: string;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Decodes a Secret's `data` (base64) and `stringData` into bytes per key. */
export function secretValues(secret: V1Secret): Map<string, Buffer> {
  const values = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(secret.data ?? {})) values.set(key, Buffer.from(value, 'base64'));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) values.set(key, Buffer.from(value, 'utf8'));
  return values;
}

/**
 * Mounts every volume of the pod, as the kubelet does before it starts any container, and
 * returns the files the container's volume mounts show. A projected `serviceAccountToken`
 * source gets a token from the API server, bound to the pod.
 * An emptyDir volume shows the files that the pod's containers wrote into it so far.
 * NOTE: ConfigMaps do not exist in the local cluster, so a configMap volume fails to mount
 * unless it is optional, and projected configMap and downwardAPI sources add no files.
 * downwardAPI and other volumes mount empty.
 */
export function mountVolumes(pod: V1Pod, container: V1Container, store: ClusterStore, emptyDirs?: EmptyDirVolumes): MountResult {
  const namespace = pod.metadata?.namespace ?? 'default';
  const volumeFiles = new Map<string, Map<string, Buffer>>();
  for (const volume of pod.spec?.volumes ?? []) {
    const emptyDirFiles = volume.emptyDir ? emptyDirs?.files(volume.name) : undefined;
    const mounted = emptyDirFiles ? { files: emptyDirFiles } : mountVolume(volume, pod, namespace, store);
    if ('message' in mounted) {
      return { ok: false, volume: volume.name, message: `MountVolume.SetUp failed for volume "${volume.name}" : ${mounted.message}` };
    }
    volumeFiles.set(volume.name, mounted.files);
  }

  const files = new Map<string, Buffer>();
  for (const mount of container.volumeMounts ?? []) {
    const contents = volumeFiles.get(mount.name) ?? new Map<string, Buffer>();
    const subPath = mount.subPath ?? '';
    for (const [relative, content] of contents) {
      if (subPath === '') files.set(posix.join(mount.mountPath, relative), content);
      else if (relative === subPath) files.set(mount.mountPath, content);
      else if (relative.startsWith(`${subPath}/`)) files.set(posix.join(mount.mountPath, relative.slice(subPath.length + 1)), content);
    }
  }
  return { ok: true, files };
}

function mountVolume(volume: V1Volume, pod: V1Pod, namespace: string, store: ClusterStore): { files: Map<string, Buffer> } | { message: string } {
  if (volume.secret) {
    const source = volume.secret;
    return secretFiles(source.secretName ?? '', source.items, source.optional ?? false, namespace, store);
  }
  if (volume.projected) {
    const files = new Map<string, Buffer>();
    for (const projection of volume.projected.sources ?? []) {
      if (projection.serviceAccountToken) {
        const { audience, expirationSeconds, path } = projection.serviceAccountToken;
        const issued = store.requestServiceAccountToken({
          namespace,
          serviceAccountName: pod.spec?.serviceAccountName || 'default',
          audience,
          expirationSeconds,
          podName: pod.metadata?.name ?? '',
          podUid: pod.metadata?.uid ?? '',
          nodeName: pod.spec?.nodeName ?? '',
        });
        // The projected volume plugin wraps the TokenRequest error (pkg/volume/projected/projected.go).
        if ('error' in issued) return { message: `failed to fetch token: ${issued.error}` };
        files.set(path, Buffer.from(issued.token));
        continue;
      }
      if (!projection.secret) continue;
      const { name, items, optional } = projection.secret;
      const result = secretFiles(name ?? '', items, optional ?? false, namespace, store);
      if ('message' in result) return result;
      for (const [path, content] of result.files) files.set(path, content);
    }
    return { files };
  }
  if (volume.configMap && !volume.configMap.optional) {
    return { message: `configmap "${volume.configMap.name ?? ''}" not found` };
  }
  return { files: new Map() };
}

function secretFiles(
  secretName: string,
  items: Array<{ key: string; path: string }> | undefined,
  optional: boolean,
  namespace: string,
  store: ClusterStore,
): { files: Map<string, Buffer> } | { message: string } {
  const secret = store.getSecret(namespace, secretName);
  if (!secret) return optional ? { files: new Map() } : { message: `secret "${secretName}" not found` };
  const values = secretValues(secret);
  const files = new Map<string, Buffer>();
  if (!items || items.length === 0) {
    for (const [key, value] of values) files.set(key, value);
    return { files };
  }
  for (const item of items) {
    const value = values.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      return { message: `references non-existent secret key: ${item.key}` };
    }
    files.set(item.path, value);
  }
  return { files };
}

/**
 * Builds the container's environment: `envFrom` first, then `env`, which overrides it, with
 * `$(NAME)` references expanded. Keys of an `envFrom` Secret that are not valid variable
 * names are skipped and reported.
 */
export function buildEnvironment(pod: V1Pod, container: V1Container, store: ClusterStore, fields: PodRuntimeFields): EnvResult {
  const namespace = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {};
  const skippedKeys: Array<{ secret: string; keys: string[] }> = [];

  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      if (source.configMapRef.optional) continue;
      return { ok: false, message: `configmap "${source.configMapRef.name ?? ''}" not found` };
    }
    if (!source.secretRef) continue;
    const secret = store.getSecret(namespace, source.secretRef.name ?? '');
    if (!secret) {
      if (source.secretRef.optional) continue;
      return { ok: false, message: `secret "${source.secretRef.name ?? ''}" not found` };
    }
    const invalid: string[] = [];
    for (const [key, value] of secretValues(secret)) {
      const name = `${source.prefix ?? ''}${key}`;
      if (ENV_NAME.test(name)) env[name] = value.toString('utf8');
      else invalid.push(key);
    }
    if (invalid.length > 0) skippedKeys.push({ secret: `${namespace}/${source.secretRef.name ?? ''}`, keys: invalid.sort() });
  }

  for (const variable of container.env ?? []) {
    const value = resolveVariable(variable, env, pod, store, fields);
    if (value === undefined) continue;
    if (typeof value !== 'string') return { ok: false, message: value.error };
    env[variable.name] = value;
  }
  return { ok: true, env, skippedKeys };
}

function resolveVariable(
  variable: V1EnvVar,
  env: Record<string, string>,
  pod: V1Pod,
  store: ClusterStore,
  fields: PodRuntimeFields,
): string | { error: string } | undefined {
  if (variable.valueFrom === undefined) return expandReferences(variable.value ?? '', env);
  const { secretKeyRef, configMapKeyRef, fieldRef } = variable.valueFrom;
  const namespace = pod.metadata?.namespace ?? 'default';
  if (secretKeyRef) {
    const name = secretKeyRef.name ?? '';
    const secret = store.getSecret(namespace, name);
    if (!secret) return secretKeyRef.optional ? undefined : { error: `secret "${name}" not found` };
    const value = secretValues(secret).get(secretKeyRef.key);
    if (value === undefined) {
      return secretKeyRef.optional ? undefined : { error: `couldn't find key ${secretKeyRef.key} in Secret ${namespace}/${name}` };
    }
    return value.toString('utf8');
  }
  if (configMapKeyRef) {
    return configMapKeyRef.optional ? undefined : { error: `configmap "${configMapKeyRef.name ?? ''}" not found` };
  }
  if (fieldRef) return fieldValue(fieldRef.fieldPath, pod, fields);
  // NOTE: resourceFieldRef is not emulated; such variables are left unset.
  return undefined;
}

function fieldValue(path: string, pod: V1Pod, fields: PodRuntimeFields): string {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[labelOrAnnotation[2]] ?? '';
  }
  const values: Record<string, string | undefined> = {
    'metadata.name': pod.metadata?.name,
    'metadata.namespace': pod.metadata?.namespace,
    'metadata.uid': pod.metadata?.uid,
    'spec.nodeName': fields.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.hostIP': fields.hostIP,
    'status.podIP': fields.podIP,
  };
  return values[path] ?? '';
}

/** Expands `$(NAME)` from earlier variables; `$$(NAME)` stays literal as `$(NAME)`. */
export function expandReferences(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([^)]+)\)/g, (match, name?: string) => {
    if (match === '$$') return '$';
    return name !== undefined && name in env ? env[name] : match;
  });
}
