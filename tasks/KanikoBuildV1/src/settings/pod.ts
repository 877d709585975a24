// The pod's namespace, image, resources, deadlines and service account.
import { loc } from '../messages';
import { podTemplateRules } from '../plan/pod';
import { isImageReference } from './image';
import { parseNodeSelector, parseTolerations } from './placement';
import { parsePodTemplate } from './pod-template';
import type { Problems } from './problems';
import { quantityValue } from './quantity';
import type { RawInputs } from './raw';
import type { PodSettings, ResourceSettings, WorkloadIdentitySettings } from './types';

const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** A prefix that leaves room for `-` and the run's 8-character suffix within a 63-character name; a final `-` is dropped. */
const NAMESPACE_PREFIX = /^[a-z0-9][-a-z0-9]{0,53}$/;
/** Service account names are DNS-1123 subdomains, as Kubernetes validates them. */
const SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const MAX_SUBDOMAIN_LENGTH = 253;
const MAX_TIMEOUT_MINUTES = 1440;
const DEFAULT_SCHEDULING_TIMEOUT_MINUTES = 5;
/** The start of the name of a namespace that the run creates, when the namespace input is empty. */
const DEFAULT_NAMESPACE_PREFIX = 'kaniko';
/** The only service account that a namespace has right after it was created. */
const DEFAULT_SERVICE_ACCOUNT = 'default';

export type PodInputs = Pick<RawInputs,
  'namespace' | 'executorImage' | 'cpuRequest' | 'memoryRequest' | 'cpuLimit' | 'memoryLimit' | 'buildTimeoutInMinutes'
  | 'schedulingTimeoutInMinutes' | 'serviceAccount' | 'createNamespace' | 'ephemeralStorageRequest' | 'ephemeralStorageLimit'
  | 'nodeSelector' | 'tolerations' | 'podTemplate'
> & {
  /** The namespace the service connection names, used when the namespace input is empty. */
  connectionNamespace?: string;
  /** Set when the registry credentials come from workload identity, which needs a service account. */
  workloadIdentity?: WorkloadIdentitySettings;
};

export function parsePod(inputs: PodInputs, problems: Problems): PodSettings | undefined {
  const start = problems.count;
  const createNamespace = inputs.createNamespace.toLowerCase() === 'true';
  const namespace = createNamespace
    ? inputs.namespace || DEFAULT_NAMESPACE_PREFIX
    : inputs.namespace || inputs.connectionNamespace || 'default';
  if (createNamespace) {
    if (!NAMESPACE_PREFIX.test(namespace)) problems.add(loc('NamespacePrefixInvalid', namespace));
  } else if (!NAMESPACE.test(namespace)) {
    problems.add(loc('NamespaceInvalid', namespace));
  }
  if (!isImageReference(inputs.executorImage)) problems.add(loc('ExecutorImageInvalid', inputs.executorImage || '(empty)'));
  const resources = parseResources(inputs, problems);
  const minutes = /^\d+$/.test(inputs.buildTimeoutInMinutes) ? Number(inputs.buildTimeoutInMinutes) : NaN;
  if (!(minutes >= 1 && minutes <= MAX_TIMEOUT_MINUTES)) {
    problems.add(loc('TimeoutInvalid', inputs.buildTimeoutInMinutes || '(empty)', MAX_TIMEOUT_MINUTES));
  }
  const schedulingMinutes = parseSchedulingTimeout(inputs.schedulingTimeoutInMinutes, problems);
  const serviceAccount = createNamespace ? checkNewNamespaceAccount(inputs, problems) : parseServiceAccount(inputs, problems);
  const nodeSelector = parseNodeSelector(inputs.nodeSelector, problems);
  const tolerations = parseTolerations(inputs.tolerations, problems);
  const template = parsePodTemplate(inputs.podTemplate, podTemplateRules(), problems);
  checkTemplateNodeSelector(nodeSelector, template?.spec?.nodeSelector, problems);
  if (problems.count > start || !resources || !nodeSelector || !tolerations) return undefined;
  return {
    namespace, executorImage: inputs.executorImage, resources, timeoutSeconds: minutes * 60,
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
    ...(tolerations.length > 0 ? { tolerations } : {}),
    ...(template ? { template } : {}),
    ...(createNamespace ? { createNamespace } : {}),
    // A scheduling timeout at or past the build timeout never fires first, so it is left out.
    ...(schedulingMinutes && schedulingMinutes < minutes ? { schedulingTimeoutSeconds: schedulingMinutes * 60 } : {}),
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(inputs.workloadIdentity ? { workloadIdentity: inputs.workloadIdentity } : {}),
  };
}

/** Returns the minutes an unschedulable pod may wait; 0 means until the build timeout, and empty the default. */
function parseSchedulingTimeout(text: string, problems: Problems): number {
  if (text === '') return DEFAULT_SCHEDULING_TIMEOUT_MINUTES;
  const minutes = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(minutes >= 0 && minutes <= MAX_TIMEOUT_MINUTES)) {
    problems.add(loc('SchedulingTimeoutInvalid', text, MAX_TIMEOUT_MINUTES));
    return 0;
  }
  return minutes;
}

/**
 * Checks the service account inputs against a namespace that the run creates, which has only
 * `default`. Returns no account, because the pod runs under `default` there anyway.
 */
function checkNewNamespaceAccount(inputs: PodInputs, problems: Problems): undefined {
  if (inputs.workloadIdentity) {
    problems.add(loc('CreateNamespaceWorkloadIdentity'));
  } else if (inputs.serviceAccount && inputs.serviceAccount !== DEFAULT_SERVICE_ACCOUNT) {
    problems.add(loc('CreateNamespaceServiceAccount', inputs.serviceAccount, inputs.serviceAccount));
  }
  return undefined;
}

function parseServiceAccount(inputs: PodInputs, problems: Problems): string | undefined {
  const name = inputs.serviceAccount;
  if (!name) {
    if (inputs.workloadIdentity) problems.add(loc('ServiceAccountMissing'));
    return undefined;
  }
  if (name.length > MAX_SUBDOMAIN_LENGTH || !SUBDOMAIN.test(name)) {
    problems.add(loc('ServiceAccountInvalid', name));
    return undefined;
  }
  return name;
}

/** Fails when the template's node selector gives a key another value than the nodeSelector input. */
function checkTemplateNodeSelector(
  selector: Record<string, string> | undefined, templateSelector: Record<string, string> | undefined, problems: Problems,
): void {
  for (const [key, value] of Object.entries(templateSelector ?? {})) {
    const inputValue = selector?.[key];
    if (inputValue !== undefined && inputValue !== value) problems.add(loc('NodeSelectorTemplateConflict', key, inputValue, value));
  }
}

function parseResources(inputs: PodInputs, problems: Problems): ResourceSettings | undefined {
  const start = problems.count;
  const cpu = checkPair('cpu', inputs.cpuRequest, inputs.cpuLimit, problems);
  const memory = checkPair('memory', inputs.memoryRequest, inputs.memoryLimit, problems);
  const storage = checkPair('ephemeralStorage', inputs.ephemeralStorageRequest, inputs.ephemeralStorageLimit, problems);
  if (problems.count > start || !cpu || !memory || !storage) return undefined;
  return {
    requests: {
      cpu: inputs.cpuRequest || undefined,
      memory: inputs.memoryRequest || undefined,
      ...(inputs.ephemeralStorageRequest ? { ephemeralStorage: inputs.ephemeralStorageRequest } : {}),
    },
    limits: {
      cpu: inputs.cpuLimit,
      memory: inputs.memoryLimit,
      ...(inputs.ephemeralStorageLimit ? { ephemeralStorage: inputs.ephemeralStorageLimit } : {}),
    },
  };
}

/** Examples of valid quantities for each resource, for messages. */
const QUANTITY_EXAMPLES = { cpu: '1, 500m', memory: '1Gi, 512Mi', ephemeralStorage: '10Gi, 20G' };

/**
 * Checks a request and limit pair; Kubernetes rejects a request above its limit. The cpu and
 * memory limits are required, and the ephemeral storage limit is optional.
 */
function checkPair(resource: 'cpu' | 'memory' | 'ephemeralStorage', request: string, limit: string, problems: Problems): boolean {
  const limitInput = `${resource}Limit`;
  const requestInput = `${resource}Request`;
  const example = QUANTITY_EXAMPLES[resource];
  const optionalLimit = resource === 'ephemeralStorage' && limit === '';
  const limitValue = optionalLimit ? Infinity : quantityValue(limit);
  const requestValue = request ? quantityValue(request) : limitValue;
  let valid = true;
  if (limitValue === undefined || limitValue <= 0) {
    problems.add(loc('QuantityInvalid', limitInput, limit || '(empty)', example));
    valid = false;
  }
  if (request && (requestValue === undefined || requestValue <= 0)) {
    problems.add(loc('QuantityInvalid', requestInput, request, example));
    valid = false;
  }
  if (valid && (requestValue as number) > (limitValue as number)) {
    problems.add(loc('RequestAboveLimit', requestInput, request, limitInput, limit));
    valid = false;
  }
  return valid;
}
