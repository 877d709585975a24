// Decodes request bodies the way the API server's JSON serializer does: a body that is not
// JSON (or YAML), names another kind, or has a wrong JSON type for a known field is a
// 400 BadRequest with Go's message. Quantities and Secret data come back in canonical form.
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from '../status';
import { formatQuantity, parseExactQuantity } from '../../quantity-value';
import { base64ErrorOffset } from './base64';
import type { FieldType, StructSchema } from './schemas';

export type JsonObject = Record<string, unknown>;

/** Go's error for quantities that do not parse, from k8s.io/apimachinery/pkg/api/resource. */
const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const CORE_KINDS = new Set(['Pod', 'Secret', 'Namespace', 'Event', 'ConfigMap', 'Service', 'ServiceAccount', 'Node', 'DeleteOptions']);
/** The kinds that the decoder accepts for each apiVersion, as the API server's scheme registers them. */
const REGISTERED_KINDS: Record<string, Set<string>> = {
  v1: CORE_KINDS,
  'meta.k8s.io/v1': CORE_KINDS,
  'authorization.k8s.io/v1': new Set([
    'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview',
  ]),
};

class TypeMismatch extends Error {}

/** Parses the body by its content type; the result is not yet checked against a kind. */
export function parseBody(body: Buffer, contentType: string | undefined, expectedKind: string): unknown {
  const mediaType = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  const text = body.toString('utf8');
  try {
    if (mediaType === 'application/json' || mediaType === '') return JSON.parse(text);
    if (mediaType === 'application/yaml') return parseYaml(text);
  } catch (error) {
    const summary = text.length > 30 ? `${text.slice(0, 30)} ...` : text;
    throw badRequest(
      `the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; json parse error: ${(error as Error).message} (${summary})`,
    );
  }
  throw unsupportedMediaType();
}

/**
 * Decodes a body into an object of `expectedKind` (such as `Pod`), checking apiVersion,
 * kind and the JSON types of the fields in `schema`.
 * NOTE: unknown fields are kept silently; the API server would add a `Warning` header for
 * them (fieldValidation=Warn) or reject them (fieldValidation=Strict).
 */
export function decodeObject(body: Buffer, contentType: string | undefined, expectedKind: string, schema: StructSchema): JsonObject {
  const parsed = parseBody(body, contentType, expectedKind);
  return checkObject(parsed, expectedKind, schema);
}

/**
 * Checks an already parsed value, as decodeObject does after parsing. DeleteOptions may also
 * name `meta.k8s.io/v1`, so callers can widen `apiVersions`.
 */
export function checkObject(parsed: unknown, expectedKind: string, schema: StructSchema, apiVersions = ['v1']): JsonObject {
  if (!isPlainObject(parsed)) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(parsed)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  }
  const kind = typeof parsed.kind === 'string' && parsed.kind ? parsed.kind : expectedKind;
  const apiVersion = typeof parsed.apiVersion === 'string' && parsed.apiVersion ? parsed.apiVersion : apiVersions[0];
  if (!apiVersions.includes(apiVersion) || !REGISTERED_KINDS[apiVersion]?.has(kind)) {
    throw badRequest(`no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`);
  }
  const prefix = `${kind} in version ${JSON.stringify(apiVersion.replace(/^.*\//, ''))} cannot be handled as a ${expectedKind}`;
  // The internal API group that the decoder converts to: `core` for v1, else the group's first label.
  const internalGroup = apiVersion.includes('/') ? apiVersion.split('.')[0] : 'core';
  if (kind !== expectedKind) throw badRequest(`${prefix}: converting (v1.${kind}) to (${internalGroup}.${expectedKind}): unknown conversion`);
  try {
    const decoded = walkStruct(parsed, schema, '') as JsonObject;
    decoded.kind = expectedKind;
    decoded.apiVersion = apiVersion;
    return decoded;
  } catch (error) {
    if (error instanceof TypeMismatch) throw badRequest(`${prefix}: ${error.message}`);
    throw error;
  }
}

function walk(value: unknown, type: FieldType, path: string, structName: string): unknown {
  if (value === null || value === undefined) return value;
  if (typeof type === 'object' && 'fields' in type) {
    if (!isPlainObject(value)) throw mismatch(value, path, structName, type.goType);
    return walkStruct(value, type, path);
  }
  if (typeof type === 'object' && 'list' in type) {
    if (!Array.isArray(value)) throw mismatch(value, path, structName, type.goType);
    return value.map((item) => walk(item, type.list, path, structName));
  }
  if (typeof type === 'object') {
    if (!isPlainObject(value)) throw mismatch(value, path, structName, type.goType);
    return Object.fromEntries(Object.entries(value).map(([entryKey, item]) => [entryKey, walk(item, type.map, path, structName)]));
  }
  return walkScalar(value, type, path, structName);
}

function walkStruct(value: JsonObject, schema: StructSchema, path: string): JsonObject {
  const structName = schema.goType.replace(/^v1\./, '');
  const result: JsonObject = {};
  for (const [fieldName, item] of Object.entries(value)) {
    const fieldType = schema.fields[fieldName];
    const fieldPath = path ? `${path}.${fieldName}` : fieldName;
    result[fieldName] = fieldType === undefined ? item : walk(item, fieldType, fieldPath, structName);
  }
  return result;
}

function walkScalar(value: unknown, type: 'string' | 'bool' | 'int32' | 'int64' | 'quantity' | 'bytes', path: string, structName: string): unknown {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw mismatch(value, path, structName, 'string');
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch(value, path, structName, 'bool');
      return value;
    case 'int32':
    case 'int64':
      return checkInteger(value, type, path, structName);
    case 'quantity':
      return canonicalQuantity(value);
    case 'bytes':
      return canonicalBase64(value, path, structName);
  }
}

function checkInteger(value: unknown, type: 'int32' | 'int64', path: string, structName: string): number {
  if (typeof value !== 'number') throw mismatch(value, path, structName, type);
  const limit = type === 'int32' ? 2 ** 31 : 2 ** 63;
  if (!Number.isInteger(value) || value < -limit || value >= limit) {
    throw new TypeMismatch(`json: cannot unmarshal number ${value} into Go struct field ${structName}.${path} of type ${type}`);
  }
  return value;
}

/** Quantity.UnmarshalJSON accepts a JSON string or number and stores the canonical text. */
function canonicalQuantity(value: unknown): string {
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : JSON.stringify(value);
  const quantity = parseExactQuantity(text);
  if (!quantity) throw new TypeMismatch(QUANTITY_FORMAT_ERROR);
  return formatQuantity(quantity);
}

/** []byte fields are base64 in JSON; Go's decoder rejects anything its StdEncoding rejects. */
function canonicalBase64(value: unknown, path: string, structName: string): string {
  if (typeof value !== 'string') throw mismatch(value, path, structName, '[]uint8');
  const offset = base64ErrorOffset(value);
  if (offset !== undefined) throw new TypeMismatch(`illegal base64 data at input byte ${offset}`);
  return Buffer.from(value, 'base64').toString('base64');
}

function mismatch(value: unknown, path: string, structName: string, goType: string): TypeMismatch {
  return new TypeMismatch(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${structName}.${path} of type ${goType}`);
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  return 'object';
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
