// The patch body of a PATCH request: its type from Content-Type, its decoding, and its
// application to the stored object, with the status codes of the API server's patch handler
// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, Kubernetes 1.34).
import { badRequest, patchNotApplicable, unsupportedMediaType } from '../status';
import { applyJsonPatch, type JsonValue, PatchApplyError } from './json-patch';
import { applyMergePatch } from './merge-patch';

export type PatchType = 'json' | 'merge';

const MEDIA_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
};

/**
 * Returns the patch type of a Content-Type header, or throws 415 as the API server does
 * before it looks at the object.
 * NOTE: Kubernetes also accepts application/strategic-merge-patch+json and
 * application/apply-patch+yaml for built-in kinds. This server rejects both with 415, so a
 * client that sends them fails here but would work on a real cluster.
 */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const type = MEDIA_TYPES[mediaType];
  if (!type) throw unsupportedMediaType(Object.keys(MEDIA_TYPES));
  return type;
}

/**
 * Applies the patch body to `current` and returns the result. A body that is not a patch of
 * its type is 400; a JSON Patch operation that does not apply is 422.
 */
export function applyPatchDocument(current: JsonValue, type: PatchType, body: Buffer): JsonValue {
  const patch = parsePatch(body);
  if (type === 'merge') {
    if (patch === null) {
      // NOTE: the status that a real server returns for a `null` merge patch was not verified; 400 is a guess.
      throw badRequest('error decoding patch: Invalid JSON Patch');
    }
    if (typeof patch !== 'object' || Array.isArray(patch)) {
      throw badRequest(`error decoding patch: json: cannot unmarshal ${goKind(patch)} into Go value of type map[string]interface {}`);
    }
    return applyMergePatch(current, patch);
  }
  try {
    return applyJsonPatch(current, checkOperations(patch));
  } catch (error) {
    if (error instanceof PatchApplyError) throw patchNotApplicable();
    throw error;
  }
}

// NOTE: for text that is not JSON, the message is Node's parse error, not Go's wording.
function parsePatch(body: Buffer): JsonValue {
  try {
    return JSON.parse(body.toString('utf8')) as JsonValue;
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/** Checks that a JSON Patch is a list of operation objects whose op, path and from are strings. */
function checkOperations(patch: JsonValue): Record<string, unknown>[] {
  if (!Array.isArray(patch)) {
    throw badRequest(`error decoding patch: json: cannot unmarshal ${goKind(patch)} into Go value of type []handlers.jsonPatchOp`);
  }
  for (const operation of patch) {
    if (operation === null || typeof operation !== 'object' || Array.isArray(operation)) {
      throw badRequest(`error decoding patch: json: cannot unmarshal ${goKind(operation)} into Go value of type handlers.jsonPatchOp`);
    }
    for (const member of ['op', 'path', 'from'] as const) {
      const value = operation[member];
      if (value !== undefined && value !== null && typeof value !== 'string') {
        throw badRequest(`error decoding patch: json: cannot unmarshal ${goKind(value)} into Go struct field jsonPatchOp.${member} of type string`);
      }
    }
  }
  return patch as Record<string, unknown>[];
}

function goKind(value: JsonValue): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
