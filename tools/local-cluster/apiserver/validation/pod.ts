// Pod validation on create, after ValidatePodCreate and ValidatePodSpec in
// pkg/apis/core/validation/validation.go (Kubernetes 1.34). It runs on the defaulted pod.
import type { V1Container, V1Pod, V1PodSpec, V1Toleration } from '@kubernetes/client-node';
import { child, duplicate, type FieldError, forbiddenField, index, invalid, notSupported, required } from '../field-errors';
import { validateContainerCommon } from './containers';
import { subdomainName, validateLabels, validateObjectMeta } from './metadata';
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from './names';
import { validateVolumes } from './volumes';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2 ** 31 - 1;
const MAX_ID = 0xffffffff;

export function validatePodCreate(pod: V1Pod): FieldError[] {
  const spec = pod.spec ?? ({ containers: [] } as V1PodSpec);
  const errors = validateObjectMeta(pod.metadata ?? {}, true, subdomainName);
  errors.push(...validatePodSpec(spec, 'spec'));
  if (!spec.serviceAccountName) errors.push(...serviceAccountTokenErrors(spec));
  for (const [field, containers] of [['containers', spec.containers ?? []], ['initContainers', spec.initContainers ?? []]] as const) {
    for (const [position, container] of containers.entries()) {
      if (container.image && container.image !== container.image.trim()) {
        errors.push(invalid(child(index(child('spec', field), position), 'image'), container.image, 'must not have leading or trailing whitespace'));
      }
    }
  }
  if ((spec.ephemeralContainers ?? []).length > 0) errors.push(forbiddenField('spec.ephemeralContainers', 'cannot be set on create'));
  return errors;
}

function validatePodSpec(spec: V1PodSpec, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.terminationGracePeriodSeconds === undefined) errors.push(required(child(path, 'terminationGracePeriodSeconds')));
  const volumes = validateVolumes(spec.volumes ?? [], child(path, 'volumes'));
  errors.push(...volumes.errors);
  errors.push(...validateContainers(spec.containers ?? [], volumes.names, child(path, 'containers')));
  errors.push(...validateInitContainers(spec.initContainers ?? [], spec.containers ?? [], volumes.names, child(path, 'initContainers')));
  errors.push(...enumErrors(spec.restartPolicy, RESTART_POLICIES, child(path, 'restartPolicy')));
  errors.push(...enumErrors(spec.dnsPolicy, DNS_POLICIES, child(path, 'dnsPolicy')));
  errors.push(...validateLabels(spec.nodeSelector ?? {}, child(path, 'nodeSelector')));
  errors.push(...securityContextErrors(spec, child(path, 'securityContext')));
  for (const [position, secret] of (spec.imagePullSecrets ?? []).entries()) {
    if (Object.keys(secret).some((field) => field !== 'name')) {
      errors.push(invalid(index(child(path, 'imagePullSecrets'), position), { text: JSON.stringify(secret) }, 'only name may be set'));
    }
  }
  errors.push(...nameErrors(spec.serviceAccountName, child(path, 'serviceAccountName'), dns1123SubdomainErrors));
  errors.push(...nameErrors(spec.nodeName, child(path, 'nodeName'), dns1123SubdomainErrors));
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    errors.push(invalid(child(path, 'activeDeadlineSeconds'), deadline, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  errors.push(...nameErrors(spec.hostname, child(path, 'hostname'), dns1123LabelErrors));
  errors.push(...nameErrors(spec.subdomain, child(path, 'subdomain'), dns1123LabelErrors));
  errors.push(...validateTolerations(spec.tolerations ?? [], child(path, 'tolerations')));
  errors.push(...nameErrors(spec.priorityClassName, child(path, 'priorityClassName'), dns1123SubdomainErrors));
  return errors;
}

function validateContainers(containers: V1Container[], volumes: Set<string>, path: string): FieldError[] {
  if (containers.length === 0) return [required(path)];
  const errors: FieldError[] = [];
  const names = new Set<string>();
  for (const [position, container] of containers.entries()) {
    const containerPath = index(path, position);
    errors.push(...validateContainerCommon(container, volumes, containerPath));
    if (names.has(container.name)) errors.push(duplicate(child(containerPath, 'name'), container.name));
    else names.add(container.name);
    if (container.restartPolicy !== undefined) errors.push(forbiddenField(child(containerPath, 'restartPolicy'), 'may not be set for non-init containers'));
  }
  return errors;
}

function validateInitContainers(initContainers: V1Container[], containers: V1Container[], volumes: Set<string>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set(containers.map((container) => container.name));
  for (const [position, container] of initContainers.entries()) {
    const containerPath = index(path, position);
    errors.push(...validateContainerCommon(container, volumes, containerPath));
    const restartPolicy = container.restartPolicy;
    if (restartPolicy !== undefined && restartPolicy !== 'Always') {
      errors.push(notSupported(child(containerPath, 'restartPolicy'), restartPolicy, ['Always']));
    }
    if (names.has(container.name)) errors.push(duplicate(child(containerPath, 'name'), container.name));
    else if (container.name) names.add(container.name);
    if (restartPolicy !== 'Always') {
      for (const field of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (container[field]) errors.push(forbiddenField(child(containerPath, field), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  }
  return errors;
}

function enumErrors(value: string | undefined, supported: string[], path: string): FieldError[] {
  if (!value) return [required(path)];
  return supported.includes(value) ? [] : [notSupported(path, value, supported)];
}

function nameErrors(value: string | undefined, path: string, check: (name: string) => string[]): FieldError[] {
  if (!value) return [];
  return check(value).map((message) => invalid(path, value, message));
}

function securityContextErrors(spec: V1PodSpec, path: string): FieldError[] {
  const context = spec.securityContext;
  if (!context) return [];
  const errors: FieldError[] = [];
  const ids: [string, number | undefined][] = [['fsGroup', context.fsGroup], ['runAsUser', context.runAsUser], ['runAsGroup', context.runAsGroup]];
  for (const [field, id] of ids) {
    if (id !== undefined && (id < 0 || id > MAX_ID)) errors.push(invalid(child(path, field), id, `must be between 0 and ${MAX_ID}, inclusive`));
  }
  for (const [position, id] of (context.supplementalGroups ?? []).entries()) {
    if (id < 0 || id > MAX_ID) errors.push(invalid(index(child(path, 'supplementalGroups'), position), id, `must be between 0 and ${MAX_ID}, inclusive`));
  }
  return errors;
}

function validateTolerations(tolerations: V1Toleration[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [position, toleration] of tolerations.entries()) {
    const tolerationPath = index(path, position);
    const operator = toleration.operator ?? '';
    if (toleration.key) errors.push(...qualifiedNameErrors(toleration.key).map((message) => invalid(child(tolerationPath, 'key'), toleration.key ?? '', message)));
    if (!toleration.key && operator !== 'Exists') {
      errors.push(invalid(child(tolerationPath, 'operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
      errors.push(invalid(child(tolerationPath, 'effect'), toleration.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const valueErrors = labelValueErrors(toleration.value ?? '');
      if (valueErrors.length > 0) errors.push(invalid(child(tolerationPath, 'operator'), toleration.value ?? '', valueErrors.join(';')));
    } else if (operator === 'Exists') {
      if (toleration.value) errors.push(invalid(child(tolerationPath, 'operator'), toleration.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errors.push(notSupported(child(tolerationPath, 'operator'), operator, ['Equal', 'Exists']));
    }
    if (toleration.effect && !TAINT_EFFECTS.includes(toleration.effect)) {
      errors.push(notSupported(child(tolerationPath, 'effect'), toleration.effect, TAINT_EFFECTS));
    }
  }
  return errors;
}

/** Forbids projected service account tokens in a pod that names no service account. */
function serviceAccountTokenErrors(spec: V1PodSpec): FieldError[] {
  const errors: FieldError[] = [];
  for (const [volumeIndex, volume] of (spec.volumes ?? []).entries()) {
    for (const [sourceIndex, source] of (volume.projected?.sources ?? []).entries()) {
      if (source.serviceAccountToken) {
        const path = `spec.volumes[${volumeIndex}].projected.sources[${sourceIndex}].serviceAccountToken`;
        errors.push(forbiddenField(path, 'must not be specified when serviceAccountName is not set'));
      }
    }
  }
  return errors;
}
