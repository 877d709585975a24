// Container validation shared by regular and init containers, after validateContainerCommon
// and its helpers in pkg/apis/core/validation/validation.go (Kubernetes 1.34).
import type { V1Container, V1ContainerPort, V1EnvFromSource, V1EnvVar, V1VolumeMount } from '@kubernetes/client-node';
import {
  child, duplicate, type FieldError, index, invalid, notFoundValue, notSupported, required,
} from '../field-errors';
import { configKeyErrors, dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, maskTrailingDash, portNumberErrors } from './names';
import { validateResourceRequirements } from './resources';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
/** Field paths that ConvertDownwardAPIFieldLabel accepts at all. */
const DOWNWARD_API_LABELS = new Set([
  ...ENV_FIELD_PATHS, 'metadata.annotations', 'metadata.labels', 'spec.restartPolicy', 'spec.schedulerName', 'status.phase',
]);

/** Validates what every container needs; `volumes` are the names of the pod's valid volumes. */
export function validateContainerCommon(container: V1Container, volumes: Set<string>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const namePath = child(path, 'name');
  if (!container.name) errors.push(required(namePath));
  else for (const message of dns1123LabelErrors(container.name)) errors.push(invalid(namePath, container.name, message));
  if (!container.image) errors.push(required(child(path, 'image')));
  const messagePolicy = container.terminationMessagePolicy ?? '';
  if (!messagePolicy) errors.push(required(child(path, 'terminationMessagePolicy')));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(messagePolicy)) {
    errors.push(notSupported(child(path, 'terminationMessagePolicy'), messagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  errors.push(...validatePorts(container.ports ?? [], child(path, 'ports')));
  errors.push(...validateEnv(container.env ?? [], child(path, 'env')));
  errors.push(...validateEnvFrom(container.envFrom ?? [], child(path, 'envFrom')));
  errors.push(...validateVolumeMounts(container.volumeMounts ?? [], volumes, child(path, 'volumeMounts')));
  const pullPolicy = container.imagePullPolicy ?? '';
  if (!pullPolicy) errors.push(required(child(path, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(pullPolicy)) errors.push(notSupported(child(path, 'imagePullPolicy'), pullPolicy, PULL_POLICIES));
  errors.push(...validateResourceRequirements(container.resources, child(path, 'resources')));
  return errors;
}

function validatePorts(ports: V1ContainerPort[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  for (const [position, port] of ports.entries()) {
    const portPath = index(path, position);
    if (port.name) {
      const nameErrors = portNameErrors(port.name).map((message) => invalid(child(portPath, 'name'), port.name ?? '', message));
      if (nameErrors.length > 0) errors.push(...nameErrors);
      else if (names.has(port.name)) errors.push(duplicate(child(portPath, 'name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errors.push(required(child(portPath, 'containerPort')));
    else for (const message of portNumberErrors(port.containerPort)) errors.push(invalid(child(portPath, 'containerPort'), port.containerPort, message));
    if (port.hostPort) for (const message of portNumberErrors(port.hostPort)) errors.push(invalid(child(portPath, 'hostPort'), port.hostPort, message));
    if (!port.protocol) errors.push(required(child(portPath, 'protocol')));
    else if (!PROTOCOLS.includes(port.protocol)) errors.push(notSupported(child(portPath, 'protocol'), port.protocol, PROTOCOLS));
  }
  return errors;
}

function portNameErrors(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 15) errors.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errors.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errors.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errors.push('must not begin or end with a hyphen');
  return errors;
}

function validateEnv(variables: V1EnvVar[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [position, variable] of variables.entries()) {
    const variablePath = index(path, position);
    if (!variable.name) errors.push(required(child(variablePath, 'name')));
    else for (const message of envVarNameErrors(variable.name)) errors.push(invalid(child(variablePath, 'name'), variable.name, message));
    errors.push(...validateEnvValueFrom(variable, child(variablePath, 'valueFrom')));
  }
  return errors;
}

function validateEnvValueFrom(variable: V1EnvVar, path: string): FieldError[] {
  const source = variable.valueFrom;
  if (!source) return [];
  const errors: FieldError[] = [];
  let sources = 0;
  if (source.fieldRef) {
    sources += 1;
    errors.push(...validateFieldRef(source.fieldRef.apiVersion ?? '', source.fieldRef.fieldPath, child(path, 'fieldRef')));
  }
  if (source.resourceFieldRef) sources += 1;
  if (source.configMapKeyRef) {
    sources += 1;
    errors.push(...validateKeySelector(source.configMapKeyRef.name ?? '', source.configMapKeyRef.key, child(path, 'configMapKeyRef')));
  }
  if (source.secretKeyRef) {
    sources += 1;
    errors.push(...validateKeySelector(source.secretKeyRef.name ?? '', source.secretKeyRef.key, child(path, 'secretKeyRef')));
  }
  if (sources === 0) {
    errors.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (variable.value) {
    errors.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errors.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errors;
}

function validateFieldRef(apiVersion: string, fieldPath: string, path: string): FieldError[] {
  if (!apiVersion) return [required(child(path, 'apiVersion'))];
  if (!fieldPath) return [required(child(path, 'fieldPath'))];
  const subscripted = /^(metadata\.(?:labels|annotations))\['.+'\]$/.exec(fieldPath);
  if (subscripted) return [];
  if (apiVersion !== 'v1') return [invalid(child(path, 'fieldPath'), fieldPath, `error converting fieldPath: unsupported pod version: ${apiVersion}`)];
  if (!DOWNWARD_API_LABELS.has(fieldPath)) {
    return [invalid(child(path, 'fieldPath'), fieldPath, `error converting fieldPath: field label not supported: ${fieldPath}`)];
  }
  if (!ENV_FIELD_PATHS.includes(fieldPath)) return [notSupported(child(path, 'fieldPath'), fieldPath, [...ENV_FIELD_PATHS].sort())];
  return [];
}

/** Validates a reference to one key of a Secret or ConfigMap. */
function validateKeySelector(name: string, selectorKey: string, path: string): FieldError[] {
  const errors = dns1123SubdomainErrors(name).map((message) => invalid(child(path, 'name'), name, message));
  if (!selectorKey) errors.push(required(child(path, 'key')));
  else errors.push(...configKeyErrors(selectorKey).map((message) => invalid(child(path, 'key'), selectorKey, message)));
  return errors;
}

function validateEnvFrom(sources: V1EnvFromSource[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [position, source] of sources.entries()) {
    const sourcePath = index(path, position);
    const prefix = source.prefix ?? '';
    if (prefix) errors.push(...envVarNameErrors(prefix).map((message) => invalid(child(sourcePath, 'prefix'), prefix, message)));
    const references = [
      ['configMapRef', source.configMapRef?.name],
      ['secretRef', source.secretRef?.name],
    ] as const;
    let count = 0;
    for (const [field, name] of references) {
      if (!source[field]) continue;
      count += 1;
      if (!name) errors.push(required(child(sourcePath, field, 'name')));
      else errors.push(...dns1123SubdomainErrors(maskTrailingDash(name)).map((message) => invalid(child(sourcePath, field, 'name'), name, message)));
    }
    if (count === 0) errors.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (count > 1) errors.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errors;
}

function validateVolumeMounts(mounts: V1VolumeMount[], volumes: Set<string>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const mountPaths = new Set<string>();
  for (const [position, mount] of mounts.entries()) {
    const mountPath = index(path, position);
    if (!mount.name) errors.push(required(child(mountPath, 'name')));
    if (!volumes.has(mount.name)) errors.push(notFoundValue(child(mountPath, 'name'), mount.name ?? ''));
    if (!mount.mountPath) errors.push(required(child(mountPath, 'mountPath')));
    if (mountPaths.has(mount.mountPath)) errors.push(invalid(child(mountPath, 'mountPath'), mount.mountPath, 'must be unique'));
    mountPaths.add(mount.mountPath);
    // Kubernetes reports subPath errors at `volumeMounts.subPath`, without the index.
    if (mount.subPath) errors.push(...localDescendingPathErrors(mount.subPath, child(path, 'subPath')));
  }
  return errors;
}

/** Checks that a path is relative and has no '..' elements, as volume sub-paths and item paths must. */
export function localDescendingPathErrors(target: string, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (target.startsWith('/')) errors.push(invalid(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errors.push(invalid(path, target, "must not contain '..'"));
  return errors;
}
