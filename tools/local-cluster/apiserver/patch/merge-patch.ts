// JSON Merge Patch (RFC 7386), as the API server applies a PATCH with Content-Type
// application/merge-patch+json: members of the patch replace those of the document, `null`
// removes a member, objects merge recursively, and arrays are replaced whole.
import type { JsonValue } from './json-patch';

/** Returns the result of merging `patch` into a copy of `target`. */
export function applyMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const result: Record<string, JsonValue> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target) : {};
  for (const [member, value] of Object.entries(patch)) {
    if (value === null) delete result[member];
    else result[member] = applyMergePatch(result[member] ?? null, value);
  }
  return result;
}
