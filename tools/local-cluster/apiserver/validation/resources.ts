// Container resource requirements, after validateResourceRequirements and
// validateContainerResourceName in pkg/apis/core/validation/validation.go (Kubernetes 1.34).
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { child, type FieldError, invalid, key, required } from '../field-errors';
import { qualifiedNameErrors } from './names';
import { compareQuantities, type ExactQuantity, formatQuantity, isNegative, parseExactQuantity } from '../../quantity-value';

const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** Resource names that need no domain prefix (helper.IsStandardResourceName). */
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas',
  'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
const OVERCOMMITTABLE = new Set(['cpu', 'memory', 'ephemeral-storage']);

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** Extended resources (such as `nvidia.com/gpu`) and huge pages cannot be overcommitted. */
function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePages(name) && OVERCOMMITTABLE.has(name);
}

function resourceNameErrors(name: string, path: string): FieldError[] {
  const errors = qualifiedNameErrors(name).map((message) => invalid(path, name, message));
  if (errors.length > 0) return errors;
  const resourceText = { text: name };
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name)) {
      errors.push(invalid(path, resourceText, 'must be a standard resource type or fully qualified'));
    }
    if (!CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      errors.push(invalid(path, resourceText, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && (name.startsWith('requests.') || qualifiedNameErrors(`requests.${name}`).length > 0)) {
    errors.push(invalid(path, resourceText, "doesn't follow extended resource name standard"));
  }
  return errors;
}

function quantityValueErrors(name: string, quantity: ExactQuantity, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (isNegative(quantity)) errors.push(invalid(path, formatQuantity(quantity), 'must be greater than or equal to 0'));
  const isInteger = quantity.exponent >= 0 || quantity.mantissa % 10n ** BigInt(-quantity.exponent) === 0n;
  if (!isNativeResource(name) && !isInteger) errors.push(invalid(path, { text: formatQuantity(quantity) }, 'must be an integer'));
  return errors;
}

/**
 * Validates limits and requests: names, non-negative values, requests not above limits,
 * and requests equal to limits for resources that cannot be overcommitted.
 */
export function validateResourceRequirements(resources: V1ResourceRequirements | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const limitsPath = child(path, 'limits');
  const requestsPath = child(path, 'requests');
  const limits = parseAll(resources?.limits);
  for (const [name, quantity] of limits) {
    const entryPath = key(limitsPath, name);
    errors.push(...resourceNameErrors(name, entryPath), ...quantityValueErrors(name, quantity, entryPath));
  }
  for (const [name, quantity] of parseAll(resources?.requests)) {
    const entryPath = key(requestsPath, name);
    errors.push(...resourceNameErrors(name, entryPath), ...quantityValueErrors(name, quantity, entryPath));
    const limit = limits.get(name);
    if (limit) {
      const comparison = compareQuantities(quantity, limit);
      if (comparison !== 0 && !isOvercommitAllowed(name)) {
        errors.push(invalid(requestsPath, formatQuantity(quantity), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (comparison > 0) {
        errors.push(invalid(requestsPath, formatQuantity(quantity), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errors.push(required(limitsPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errors;
}

/** Parses every quantity of a list; the decoder has already rejected those that do not parse. */
function parseAll(list: Record<string, string> | undefined): Map<string, ExactQuantity> {
  const parsed = new Map<string, ExactQuantity>();
  for (const [name, text] of Object.entries(list ?? {})) {
    const quantity = parseExactQuantity(text);
    if (quantity) parsed.set(name, quantity);
  }
  return parsed;
}
