// List responses with limit and continue, and deletecollection, for every kind.
import type { ObjectKind } from '../../contract';
import type { JsonObject } from '../decode/decode';
import { deletePod } from '../registry/pods';
import type { DeleteOptionsInput } from '../registry/delete-options';
import { selectorFromQuery } from '../selectors';
import { badRequest } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { KINDS, metadataOf } from '../store/object-store';
import { parseInteger } from './watch';

interface ContinueToken {
  rv: number;
  /** The namespace/name key of the last item returned. */
  after: string;
}

function itemKey(object: JsonObject): string {
  const metadata = metadataOf(object);
  return `${metadata.namespace ?? ''}/${metadata.name}`;
}

/** Lists matching objects as the kind's List object; items carry no kind or apiVersion. */
export function listObjects(state: ClusterState, kind: ObjectKind, namespace: string | undefined, query: URLSearchParams): JsonObject {
  const selector = selectorFromQuery(kind, query);
  let items = state.objects.list(kind, namespace).filter(selector);
  const token = decodeContinue(query.get('continue'));
  if (token) items = items.filter((item) => itemKey(item) > token.after);
  const limit = parseInteger(query.get('limit'));
  const metadata: JsonObject = { resourceVersion: String(token?.rv ?? state.objects.resourceVersion()) };
  if (limit !== undefined && limit > 0 && items.length > limit) {
    const remaining = items.length - limit;
    items = items.slice(0, limit);
    const next: ContinueToken = { rv: Number(metadata.resourceVersion), after: itemKey(items[items.length - 1]) };
    metadata.continue = Buffer.from(JSON.stringify(next)).toString('base64url');
    metadata.remainingItemCount = remaining;
  }
  return listObject(kind, items, metadata);
}

export function listObject(kind: ObjectKind, items: JsonObject[], metadata: JsonObject): JsonObject {
  const bareItems = items.map((item) => {
    const bare = { ...item };
    delete bare.kind;
    delete bare.apiVersion;
    return bare;
  });
  return { kind: `${KINDS[kind].kind}List`, apiVersion: 'v1', metadata, items: bareItems };
}

function decodeContinue(text: string | null): ContinueToken | undefined {
  if (!text) return undefined;
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof token.rv === 'number' && typeof token.after === 'string') return token;
  } catch {
    // Falls through to the error below.
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** Deletes every matching object in a namespace; returns the List of what was deleted. */
export function deleteCollection(
  state: ClusterState,
  kind: ObjectKind,
  namespace: string,
  query: URLSearchParams,
  options: DeleteOptionsInput,
): JsonObject {
  const selector = selectorFromQuery(kind, query);
  const deleted: JsonObject[] = [];
  for (const object of state.objects.list(kind, namespace).filter(selector)) {
    const name = metadataOf(object).name;
    if (kind === 'pods') deleted.push(deletePod(state, namespace, name, options));
    else if (options.dryRun) deleted.push(object);
    else deleted.push(state.objects.remove(kind, namespace, name) ?? object);
  }
  return listObject(kind, deleted, { resourceVersion: String(state.objects.resourceVersion()) });
}
