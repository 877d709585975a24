// ObjectMeta validation on create, after apimachinery's ValidateObjectMetaAccessor
// (pkg/api/validation/objectmeta.go) and core's finalizer name check.
import { child, type FieldError, forbiddenField, invalid, required, tooLong } from '../field-errors';
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, maskTrailingDash, qualifiedNameErrors } from './names';
import { type OwnerReferenceInput, validateOwnerReferences } from './owner-references';

/** Reasons a name (or, with `prefix`, a generateName) is invalid for one kind of object. */
export type NameValidator = (name: string, prefix: boolean) => string[];

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export interface ObjectMetaInput {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReferenceInput[];
  finalizers?: string[];
}

/**
 * Validates metadata of an object being created. `namespaced` objects need a valid
 * namespace; cluster-scoped ones must not have one.
 */
export function validateObjectMeta(meta: ObjectMetaInput, namespaced: boolean, nameValidator: NameValidator, path = 'metadata'): FieldError[] {
  const errors: FieldError[] = [];
  if (meta.generateName) {
    for (const message of nameValidator(meta.generateName, true)) errors.push(invalid(child(path, 'generateName'), meta.generateName, message));
  }
  if (!meta.name) {
    errors.push(required(child(path, 'name'), 'name or generateName is required'));
  } else {
    for (const message of nameValidator(meta.name, false)) errors.push(invalid(child(path, 'name'), meta.name, message));
  }
  if (namespaced) {
    if (!meta.namespace) errors.push(required(child(path, 'namespace')));
    else for (const message of dns1123LabelErrors(meta.namespace)) errors.push(invalid(child(path, 'namespace'), meta.namespace, message));
  } else if (meta.namespace) {
    errors.push(forbiddenField(child(path, 'namespace'), 'not allowed on this type'));
  }
  errors.push(...validateLabels(meta.labels ?? {}, child(path, 'labels')));
  errors.push(...validateAnnotations(meta.annotations ?? {}, child(path, 'annotations')));
  errors.push(...validateOwnerReferences(meta.ownerReferences ?? [], child(path, 'ownerReferences')));
  errors.push(...validateFinalizers(meta.finalizers ?? [], child(path, 'finalizers')));
  return errors;
}

/** The metadata fields that an update may not change, after ValidateObjectMetaAccessorUpdate. */
export interface ObjectMetaUpdateInput {
  name?: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: unknown;
  deletionTimestamp?: unknown;
  deletionGracePeriodSeconds?: number;
}

/**
 * Reports changes to fields that are fixed once an object exists. The caller has already
 * restored the fields that the registry silently keeps (uid when empty, creationTimestamp).
 */
export function validateObjectMetaUpdate(next: ObjectMetaUpdateInput, previous: ObjectMetaUpdateInput, path = 'metadata'): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ['name', 'namespace', 'uid', 'deletionTimestamp'] as const) {
    const value = next[field];
    if (String(value ?? '') !== String(previous[field] ?? '')) {
      errors.push(invalid(child(path, field), value === undefined ? '' : String(value), 'field is immutable'));
    }
  }
  if (next.deletionGracePeriodSeconds !== previous.deletionGracePeriodSeconds) {
    errors.push(invalid(child(path, 'deletionGracePeriodSeconds'), next.deletionGracePeriodSeconds ?? null, 'field is immutable'));
  }
  return errors;
}

/** Label keys and values; the path is the map itself, as in Go. */
export function validateLabels(labels: Record<string, string>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [labelKey, value] of Object.entries(labels)) {
    for (const message of qualifiedNameErrors(labelKey)) errors.push(invalid(path, labelKey, message));
    for (const message of labelValueErrors(value)) errors.push(invalid(path, value, message));
  }
  return errors;
}

function validateAnnotations(annotations: Record<string, string>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  let totalSize = 0;
  for (const [annotationKey, value] of Object.entries(annotations)) {
    // Annotation keys follow the label key rule, except that case does not matter.
    for (const message of qualifiedNameErrors(annotationKey.toLowerCase())) errors.push(invalid(path, annotationKey, message));
    totalSize += Buffer.byteLength(annotationKey) + Buffer.byteLength(value);
  }
  if (totalSize > TOTAL_ANNOTATION_SIZE_LIMIT) errors.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errors;
}

function validateFinalizers(finalizers: string[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [position, finalizer] of finalizers.entries()) {
    for (const message of qualifiedNameErrors(finalizer)) errors.push(invalid(path, finalizer, message));
    if (!finalizer.includes('/') && !STANDARD_FINALIZERS.has(finalizer)) {
      errors.push(invalid(`${path}[${position}]`, finalizer, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errors;
}

/** Names of pods, Secrets and most objects: a DNS-1123 subdomain. */
export const subdomainName: NameValidator = (name, prefix) => dns1123SubdomainErrors(prefix ? maskTrailingDash(name) : name);

/** Names of namespaces: a DNS-1123 label. */
export const labelName: NameValidator = (name, prefix) => dns1123LabelErrors(prefix ? maskTrailingDash(name) : name);
