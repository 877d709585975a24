// Secret and Namespace validation on create, after ValidateSecret and ValidateNamespace in
// pkg/apis/core/validation/validation.go (Kubernetes 1.34).
import type { V1Namespace, V1Secret } from '@kubernetes/client-node';
import { type FieldError, forbiddenField, invalid, key, required, tooLong } from '../field-errors';
import { labelName, subdomainName, validateObjectMeta, validateObjectMetaUpdate } from './metadata';
import { configKeyErrors, qualifiedNameErrors } from './names';

/** core.MaxSecretSize: the total size of a Secret's data values. */
export const MAX_SECRET_SIZE = 1024 * 1024;

/** Keys that typed Secrets must contain, by type. */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

/** Validates a Secret whose `data` contains base64 text, with stringData already merged in. */
export function validateSecretCreate(secret: V1Secret): FieldError[] {
  const errors = validateObjectMeta(secret.metadata ?? {}, true, subdomainName);
  const data = secret.data ?? {};
  let totalSize = 0;
  for (const [dataKey, value] of Object.entries(data)) {
    for (const message of configKeyErrors(dataKey)) errors.push(invalid(key('data', dataKey), dataKey, message));
    totalSize += Buffer.from(value, 'base64').length;
  }
  if (totalSize > MAX_SECRET_SIZE) errors.push(tooLong('data', MAX_SECRET_SIZE));
  errors.push(...typeErrors(secret, data));
  return errors;
}

/**
 * Validates a Secret update, after ValidateSecretUpdate. It checks the metadata that may not
 * change, the immutable type, and the data of a Secret marked `immutable`, then the new Secret as a whole.
 */
export function validateSecretUpdate(next: V1Secret, previous: V1Secret): FieldError[] {
  const errors = validateObjectMetaUpdate(next.metadata ?? {}, previous.metadata ?? {});
  if ((next.type ?? '') !== (previous.type ?? '')) errors.push(invalid('type', next.type ?? '', 'field is immutable'));
  if (previous.immutable === true) {
    if (next.immutable !== true) errors.push(forbiddenField('immutable', 'field is immutable when `immutable` is set'));
    if (JSON.stringify(next.data ?? {}) !== JSON.stringify(previous.data ?? {})) {
      errors.push(forbiddenField('data', 'field is immutable when `immutable` is set'));
    }
  }
  errors.push(...validateSecretCreate(next));
  return errors;
}

function typeErrors(secret: V1Secret, data: Record<string, string>): FieldError[] {
  const type = secret.type ?? 'Opaque';
  if (type === 'kubernetes.io/service-account-token') {
    const annotation = 'kubernetes.io/service-account.name';
    return secret.metadata?.annotations?.[annotation] ? [] : [required(key('metadata.annotations', annotation))];
  }
  if (type === 'kubernetes.io/basic-auth') {
    if ('username' in data || 'password' in data) return [];
    return [required(key('data', 'username')), required(key('data', 'password'))];
  }
  const errors: FieldError[] = [];
  for (const requiredKey of REQUIRED_KEYS[type] ?? []) {
    if (!(requiredKey in data)) {
      errors.push(required(key('data', requiredKey)));
      continue;
    }
    if (requiredKey === '.dockercfg' || requiredKey === '.dockerconfigjson') {
      const problem = jsonObjectProblem(Buffer.from(data[requiredKey], 'base64').toString('utf8'));
      if (problem) errors.push(invalid(key('data', requiredKey), '<secret contents redacted>', problem));
    }
  }
  if (type === 'kubernetes.io/ssh-auth' && errors.length === 0 && !data['ssh-privatekey']) {
    errors.push(required(key('data', 'ssh-privatekey')));
  }
  return errors;
}

/** Go unmarshals the registry configuration into a map; returns why that fails, if it does. */
function jsonObjectProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // NOTE: this is Node's JSON error text; Go words its parse errors differently.
    return (error as Error).message;
  }
  if (parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed))) return undefined;
  let jsonKind: string = typeof parsed;
  if (Array.isArray(parsed)) jsonKind = 'array';
  else if (typeof parsed === 'boolean') jsonKind = 'bool';
  return `json: cannot unmarshal ${jsonKind} into Go value of type map[string]interface {}`;
  return undefined;
}

export function validateNamespaceCreate(namespace: V1Namespace): FieldError[] {
  const errors = validateObjectMeta(namespace.metadata ?? {}, false, labelName);
  for (const finalizer of namespace.spec?.finalizers ?? []) {
    for (const message of qualifiedNameErrors(finalizer)) errors.push(invalid('spec.finalizers', finalizer, message));
    if (!finalizer.includes('/') && finalizer !== 'kubernetes') {
      errors.push(invalid('spec.finalizers', finalizer, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errors;
}
