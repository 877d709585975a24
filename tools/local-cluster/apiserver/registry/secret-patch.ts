// PATCH of a Secret, in the order of the API server's patch handler and generic registry. It
// finds the object, applies the patch, decodes the result and checks its name. Then it compares
// resourceVersions, keeps the fields that an update cannot change, validates, stores, and sends MODIFIED.
import type { V1Secret } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { checkObject, type JsonObject } from '../decode/decode';
import { SECRET_SCHEMA } from '../decode/schemas';
import { invalid as invalidField } from '../field-errors';
import type { JsonValue } from '../patch/json-patch';
import { applyPatchDocument, type PatchType } from '../patch/patch-document';
import { ApiError, badRequest, conflict, invalid, notFound } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { metadataOf, type ObjectMetaJson } from '../store/object-store';
import { validateSecretUpdate } from '../validation/secret-namespace';

export interface PatchRequest {
  type: PatchType;
  body: Buffer;
  dryRun: boolean;
}

/** Patches the Secret and returns it as stored; with `dryRun`, as it would be stored. */
export function patchSecret(state: ClusterState, namespace: string, name: string, request: PatchRequest): JsonObject {
  const current = state.objects.get('secrets', namespace, name);
  if (!current) throw notFound('secrets', name);
  const patched = decodePatched(applyPatchDocument(current as JsonValue, request.type, request.body));
  const metadata = (patched.metadata ??= {}) as ObjectMetaJson;
  checkName(metadata, namespace, name);

  const previous = metadataOf(current);
  if (!metadata.resourceVersion) metadata.resourceVersion = previous.resourceVersion;
  if (metadata.resourceVersion !== previous.resourceVersion) {
    throw conflict('secrets', name, 'the object has been modified; please apply your changes to the latest version and try again');
  }
  keepFixedFields(metadata, previous);
  mergeStringData(patched as V1Secret);
  dropDuplicateOwnerReferences(metadata);

  const errors = validateSecretUpdate(patched as V1Secret, current as V1Secret);
  if (errors.length > 0) throw invalid('Secret', name, errors);
  // An update that changes nothing is not written, so the resourceVersion stays and no event is sent.
  if (isDeepStrictEqual(patched, current) || request.dryRun) return patched;
  return state.objects.replace('secrets', patched);
}

/** Decodes the patched document as a Secret; a result that does not decode is 422 on the field `patch`. */
function decodePatched(document: JsonValue): JsonObject {
  try {
    return checkObject(document, 'Secret', SECRET_SCHEMA);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status.code !== 400) throw error;
    throw invalid('', '', [invalidField('patch', JSON.stringify(document), error.status.message ?? '')]);
  }
}

/** Rejects a patch that renames the object or moves it, as checkName in the patch handler does. */
function checkName(metadata: ObjectMetaJson, namespace: string, name: string): void {
  if (metadata.name !== name) {
    throw badRequest(`the name of the object (${metadata.name ?? ''}) does not match the name on the URL (${name})`);
  }
  if (metadata.namespace && metadata.namespace !== namespace) {
    throw badRequest(`the namespace of the object (${metadata.namespace}) does not match the namespace on the URL (${namespace})`);
  }
  metadata.namespace = namespace;
}

/**
 * Restores what rest.BeforeUpdate restores instead of rejecting: an empty uid, the creation
 * time, and a deletion time that the object already had.
 */
function keepFixedFields(metadata: ObjectMetaJson, previous: ObjectMetaJson): void {
  if (!metadata.uid) metadata.uid = previous.uid;
  metadata.creationTimestamp = previous.creationTimestamp;
  if (previous.deletionTimestamp) metadata.deletionTimestamp = previous.deletionTimestamp;
}

/** Merges stringData into data as the v1 to internal conversion does; stringData is never stored. */
function mergeStringData(secret: V1Secret): void {
  if (!secret.stringData) return;
  const data = { ...(secret.data ?? {}) };
  for (const [key, value] of Object.entries(secret.stringData)) data[key] = Buffer.from(value, 'utf8').toString('base64');
  delete secret.stringData;
  secret.data = data;
}

/**
 * Keeps the first of several owner references with one uid, as the patch handler's
 * dedupOwnerReferencesAndAddWarning does.
 * NOTE: the API server also sends a Warning header about the duplicate; this server sends none.
 */
function dropDuplicateOwnerReferences(metadata: ObjectMetaJson): void {
  const references = metadata.ownerReferences as { uid?: string }[] | undefined;
  if (!references) return;
  const seen = new Set<string>();
  metadata.ownerReferences = references.filter((reference) => {
    if (seen.has(reference.uid ?? '')) return false;
    seen.add(reference.uid ?? '');
    return true;
  });
}
