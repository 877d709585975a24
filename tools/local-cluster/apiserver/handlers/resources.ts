// The REST handlers of /api/v1: namespaces, pods, secrets, service accounts and events, with
// the pod subresources status, log and attach (whose streams start in ../streaming). PATCH is
// served for Secrets only; update (PUT) and PATCH of other kinds are not served (405).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectKind } from '../../contract';
import { checkObject, decodeObject, type JsonObject, parseBody } from '../decode/decode';
import {
  DELETE_OPTIONS_SCHEMA, NAMESPACE_SCHEMA, POD_SCHEMA, SECRET_SCHEMA, SERVICE_ACCOUNT_SCHEMA, type StructSchema,
} from '../decode/schemas';
import { readBody, sendJson } from '../http';
import { parseDeleteOptions, type DeleteOptionsInput } from '../registry/delete-options';
import { createNamespaceObject, deleteNamespace } from '../registry/namespaces';
import { createPod, deletePod } from '../registry/pods';
import { patchSecret } from '../registry/secret-patch';
import { createSecret, deleteSecret } from '../registry/secrets';
import { patchTypeOf } from '../patch/patch-document';
import { createServiceAccount, deleteServiceAccount } from '../registry/service-accounts';
import type { StreamFaults } from '../faults/injector';
import { badRequest, deleteSuccess, methodNotAllowed, notFound, pathNotFound } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { metadataOf } from '../store/object-store';
import { isWatch } from '../request-info';
import { serveAttachRequest } from './attach';
import { deleteCollection, listObjects } from './collections';
import { serveLog } from './logs';
import { serveWatch, type WatchSettings } from './watch';

export interface ResourceRequest {
  request: IncomingMessage;
  response: ServerResponse;
  state: ClusterState;
  query: URLSearchParams;
  settings: WatchSettings;
  /** Faults for a watch or followed log stream, when the fault plan gave the request any. */
  streamFaults?: StreamFaults;
}

const NAMESPACED_KINDS = new Set<string>(['pods', 'secrets', 'serviceaccounts', 'events']);
const CREATE_SCHEMAS: Partial<Record<ObjectKind, [kind: string, schema: StructSchema]>> = {
  pods: ['Pod', POD_SCHEMA],
  secrets: ['Secret', SECRET_SCHEMA],
  serviceaccounts: ['ServiceAccount', SERVICE_ACCOUNT_SCHEMA],
  namespaces: ['Namespace', NAMESPACE_SCHEMA],
};

/** Serves a path below /api/v1, given as its segments. */
export async function serveResource(context: ResourceRequest, segments: string[]): Promise<void> {
  const [first, second, third, fourth, fifth] = segments;
  if (first === 'namespaces') {
    if (segments.length === 1) return serveCollection(context, 'namespaces', undefined);
    if (segments.length === 2) return serveItem(context, 'namespaces', '', second);
    if (segments.length === 3 && third === 'status') return serveReadOnly(context, 'namespaces', '', second);
    if (!NAMESPACED_KINDS.has(third)) throw pathNotFound();
    const kind = third as ObjectKind;
    if (segments.length === 3) return serveCollection(context, kind, second);
    if (segments.length === 4) return serveItem(context, kind, second, fourth);
    if (segments.length === 5 && kind === 'pods' && fifth === 'status') return serveReadOnly(context, 'pods', second, fourth);
    if (segments.length === 5 && kind === 'pods' && fifth === 'log') return serveLogRequest(context, second, fourth);
    if (segments.length === 5 && kind === 'pods' && fifth === 'attach') return serveAttachRequest(context, second, fourth);
    throw pathNotFound();
  }
  if (segments.length === 1 && NAMESPACED_KINDS.has(first)) return serveCollection(context, first as ObjectKind, undefined);
  throw pathNotFound();
}

async function serveCollection(context: ResourceRequest, kind: ObjectKind, namespace: string | undefined): Promise<void> {
  const { request, response, state, query } = context;
  switch (request.method) {
    case 'GET':
      if (isWatch(query)) return serveWatch({ ...context, kind, namespace });
      return sendJson(response, 200, listObjects(state, kind, namespace, query));
    case 'POST': {
      const schema = CREATE_SCHEMAS[kind];
      if (!schema || (namespace === undefined && kind !== 'namespaces')) throw methodNotAllowed();
      const body = decodeObject(await readBody(request), request.headers['content-type'], schema[0], schema[1]);
      return sendJson(response, 201, create(state, kind, namespace ?? '', body, isDryRun(query)));
    }
    case 'DELETE': {
      if (namespace === undefined) throw methodNotAllowed();
      const options = await deleteOptions(context);
      return sendJson(response, 200, deleteCollection(state, kind, namespace, query, options));
    }
    default:
      throw methodNotAllowed();
  }
}

function create(state: ClusterState, kind: ObjectKind, namespace: string, body: JsonObject, dryRun: boolean): JsonObject {
  if (kind === 'namespaces') return createNamespaceObject(state, body, dryRun);
  const metadata = ((body.metadata as JsonObject | undefined) ??= {});
  body.metadata = metadata;
  if (metadata.namespace && metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  metadata.namespace = namespace;
  if (kind === 'serviceaccounts') return createServiceAccount(state, namespace, body, dryRun);
  return kind === 'pods' ? createPod(state, namespace, body, dryRun) : createSecret(state, namespace, body, dryRun);
}

async function serveItem(context: ResourceRequest, kind: ObjectKind, namespace: string, name: string): Promise<void> {
  const { request, response, state, query } = context;
  if (request.method === 'GET' && isWatch(query)) return serveWatch({ ...context, kind, namespace: namespace || undefined, name });
  if (request.method === 'GET') return serveReadOnly(context, kind, namespace, name);
  if (request.method === 'PATCH' && kind === 'secrets') return servePatch(context, namespace, name);
  if (request.method !== 'DELETE') throw methodNotAllowed();
  const options = await deleteOptions(context);
  const uid = metadataOf(state.objects.get(kind, namespace, name) ?? { metadata: {} }).uid;
  const result = deleteObject(state, kind, namespace, name, options);
  // The collector detaches an orphaning owner's dependents before it can notice the owner is gone.
  if (options.propagationPolicy === 'Orphan' && !options.dryRun && uid) state.garbageCollector.orphanDependents(uid);
  sendJson(response, 200, result);
}

function deleteObject(state: ClusterState, kind: ObjectKind, namespace: string, name: string, options: DeleteOptionsInput): unknown {
  switch (kind) {
    case 'namespaces':
      return deleteNamespace(state, name, options);
    case 'pods':
      return deletePod(state, namespace, name, options);
    case 'secrets':
      return deleteSecret(state, namespace, name, options);
    case 'serviceaccounts':
      return deleteServiceAccount(state, namespace, name, options);
    default: {
      const object = state.objects.get(kind, namespace, name);
      if (!object) throw notFound(kind, name);
      if (!options.dryRun) state.objects.remove(kind, namespace, name);
      return deleteSuccess(kind, name, metadataOf(object).uid);
    }
  }
}

/** PATCH of a Secret: the media type is checked before the body is read or the object looked up. */
async function servePatch(context: ResourceRequest, namespace: string, name: string): Promise<void> {
  const type = patchTypeOf(context.request.headers['content-type']);
  const body = await readBody(context.request);
  const patched = patchSecret(context.state, namespace, name, { type, body, dryRun: isDryRun(context.query) });
  sendJson(context.response, 200, patched);
}

function serveReadOnly(context: ResourceRequest, kind: ObjectKind, namespace: string, name: string): void {
  if (context.request.method !== 'GET') throw methodNotAllowed();
  const object = context.state.objects.get(kind, namespace, name);
  if (!object) throw notFound(kind, name);
  sendJson(context.response, 200, object);
}

function serveLogRequest(context: ResourceRequest, namespace: string, name: string): void {
  if (context.request.method !== 'GET') throw methodNotAllowed();
  serveLog({ ...context, namespace, name });
}

/** DeleteOptions from the query and an optional JSON body. */
async function deleteOptions(context: ResourceRequest): Promise<DeleteOptionsInput> {
  const raw = await readBody(context.request);
  let body: JsonObject | undefined;
  if (raw.length > 0) {
    const parsed = parseBody(raw, context.request.headers['content-type'], 'DeleteOptions');
    body = checkObject(parsed, 'DeleteOptions', DELETE_OPTIONS_SCHEMA, ['v1', 'meta.k8s.io/v1']);
  }
  return parseDeleteOptions(context.query, body);
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  if (values.some((value) => value !== 'All')) throw badRequest(`Invalid dryRun value: ${values.join(', ')}`);
  return values.length > 0;
}
