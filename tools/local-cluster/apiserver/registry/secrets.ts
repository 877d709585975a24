// Secret create and delete. stringData is merged into data on the way in (as the v1 to
// internal conversion does) and never stored. DELETE returns a success Status.
import type { V1Secret } from '@kubernetes/client-node';
import { generateName } from '../admission/pod-admission';
import type { JsonObject } from '../decode/decode';
import { alreadyExists, deleteSuccess, invalid, notFound, type Status } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { metadataOf } from '../store/object-store';
import { validateSecretCreate } from '../validation/secret-namespace';
import { checkPreconditions, type DeleteOptionsInput, rejectResourceVersionOnCreate } from './delete-options';
import { admitToNamespace } from './namespaces';

export function createSecret(state: ClusterState, namespace: string, body: JsonObject, dryRun: boolean): JsonObject {
  const secret = body as V1Secret;
  const metadata = (secret.metadata ??= {});
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const [dataKey, value] of Object.entries(secret.stringData ?? {})) data[dataKey] = Buffer.from(value, 'utf8').toString('base64');
  delete secret.stringData;
  if (Object.keys(data).length > 0) secret.data = data;
  secret.type ||= 'Opaque';
  admitToNamespace(state, namespace, 'secrets', metadata.name ?? '');
  if (!metadata.name && metadata.generateName) metadata.name = generateName(metadata.generateName);
  const name = metadata.name ?? '';
  const errors = validateSecretCreate(secret);
  if (errors.length > 0) throw invalid('Secret', name, errors);
  rejectResourceVersionOnCreate(metadata);
  if (state.objects.get('secrets', namespace, name)) throw alreadyExists('secrets', name);
  if (dryRun) return { kind: 'Secret', apiVersion: 'v1', ...(secret as JsonObject) };
  return state.objects.insert('secrets', secret as JsonObject);
}

export function deleteSecret(state: ClusterState, namespace: string, name: string, options: DeleteOptionsInput): Status {
  const secret = state.objects.get('secrets', namespace, name);
  if (!secret) throw notFound('secrets', name);
  checkPreconditions('secrets', secret, options);
  if (!options.dryRun) state.objects.remove('secrets', namespace, name);
  return deleteSuccess('secrets', name, metadataOf(secret).uid);
}
