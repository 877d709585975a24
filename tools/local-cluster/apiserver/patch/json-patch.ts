// JSON Patch (RFC 6902) with JSON Pointer paths (RFC 6901), as the API server applies a PATCH
// with Content-Type application/json-patch+json. Operations apply in order to a copy of the
// document; the first one that does not apply fails the whole patch and changes nothing.
import { isDeepStrictEqual } from 'node:util';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A patch operation that cannot be applied, such as a `remove` of a path that does not exist. */
export class PatchApplyError extends Error {}

/** Applies `operations` to a deep copy of `document` and returns the copy. */
export function applyJsonPatch(document: JsonValue, operations: Record<string, unknown>[]): JsonValue {
  let result = structuredClone(document);
  for (const operation of operations) result = applyOperation(result, operation);
  return result;
}

function applyOperation(document: JsonValue, operation: Record<string, unknown>): JsonValue {
  const { op } = operation;
  const path = pointer(operation, 'path');
  switch (op) {
    case 'add':
      return add(document, path, requireValue(operation));
    case 'remove':
      remove(document, path);
      return document;
    case 'replace':
      if (path.length === 0) return requireValue(operation);
      remove(document, path);
      return add(document, path, requireValue(operation));
    case 'move': {
      const from = pointer(operation, 'from');
      if (path.length > from.length && from.every((token, position) => path[position] === token)) {
        throw new PatchApplyError('move operation cannot move a value into one of its own children');
      }
      return add(document, path, remove(document, from));
    }
    case 'copy':
      return add(document, path, structuredClone(resolve(document, pointer(operation, 'from'))));
    case 'test':
      if (!isDeepStrictEqual(resolve(document, path), requireValue(operation))) throw new PatchApplyError(`testing value ${String(operation.path)} failed`);
      return document;
    default:
      throw new PatchApplyError(`Unexpected kind: ${String(op)}`);
  }
}

function requireValue(operation: Record<string, unknown>): JsonValue {
  if (!('value' in operation)) throw new PatchApplyError(`${String(operation.op)} operation has no value`);
  return structuredClone(operation.value as JsonValue);
}

/** Splits a JSON Pointer into its unescaped reference tokens; `""` is the whole document. */
function pointer(operation: Record<string, unknown>, member: 'path' | 'from'): string[] {
  const text = operation[member];
  if (typeof text !== 'string') throw new PatchApplyError(`${String(operation.op)} operation has no ${member}`);
  if (text === '') return [];
  if (!text.startsWith('/')) throw new PatchApplyError(`JSON pointer ${JSON.stringify(text)} does not start with /`);
  return text.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolve(document: JsonValue, path: string[]): JsonValue {
  let current = document;
  for (const token of path) {
    const next = childOf(current, token);
    if (next === undefined) throw new PatchApplyError(`doc is missing path: /${path.join('/')}`);
    current = next;
  }
  return current;
}

function childOf(container: JsonValue, token: string): JsonValue | undefined {
  if (Array.isArray(container)) {
    const position = arrayIndex(token, container.length - 1);
    return position === undefined ? undefined : container[position];
  }
  if (container !== null && typeof container === 'object' && Object.hasOwn(container, token)) return container[token];
  return undefined;
}

/** Adds `value` at `path` and returns the document, which is `value` itself for the root path. */
function add(document: JsonValue, path: string[], value: JsonValue): JsonValue {
  if (path.length === 0) return value;
  const parent = resolve(document, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    const position = last === '-' ? parent.length : arrayIndex(last, parent.length);
    if (position === undefined) throw new PatchApplyError(`add operation does not apply: index ${last} is out of bounds`);
    parent.splice(position, 0, value);
  } else if (parent !== null && typeof parent === 'object') {
    parent[last] = value;
  } else {
    throw new PatchApplyError(`add operation does not apply: /${path.slice(0, -1).join('/')} is not an object or array`);
  }
  return document;
}

/** Removes the value at `path` and returns it. */
function remove(document: JsonValue, path: string[]): JsonValue {
  if (path.length === 0) throw new PatchApplyError('cannot remove the whole document');
  const parent = resolve(document, path.slice(0, -1));
  const last = path[path.length - 1];
  const removed = childOf(parent, last);
  if (removed === undefined) throw new PatchApplyError(`Unable to remove nonexistent key: ${last}: missing value`);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, JsonValue>)[last];
  return removed;
}

/** Returns the array index that `token` names when it is a decimal from 0 to `max`, without leading zeros. */
function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
  const position = Number(token);
  return position <= max ? position : undefined;
}
