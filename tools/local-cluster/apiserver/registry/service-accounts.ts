// ServiceAccount create and delete. DELETE returns the deleted ServiceAccount, not a Status,
// because the service account registry sets ReturnDeletedObject (pkg/registry/core/
// serviceaccount/storage/storage.go, Kubernetes 1.34).
import type { V1ServiceAccount } from '@kubernetes/client-node';
import { generateName } from '../admission/pod-admission';
import type { JsonObject } from '../decode/decode';
import { alreadyExists, invalid, notFound } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { validateServiceAccountCreate } from '../validation/service-account';
import { checkPreconditions, type DeleteOptionsInput, rejectResourceVersionOnCreate } from './delete-options';
import { admitToNamespace } from './namespaces';

export function createServiceAccount(state: ClusterState, namespace: string, body: JsonObject, dryRun: boolean): JsonObject {
  const serviceAccount = body as V1ServiceAccount;
  const metadata = (serviceAccount.metadata ??= {});
  admitToNamespace(state, namespace, 'serviceaccounts', metadata.name ?? '');
  if (!metadata.name && metadata.generateName) metadata.name = generateName(metadata.generateName);
  const name = metadata.name ?? '';
  const errors = validateServiceAccountCreate(serviceAccount);
  if (errors.length > 0) throw invalid('ServiceAccount', name, errors);
  rejectResourceVersionOnCreate(metadata);
  if (state.objects.get('serviceaccounts', namespace, name)) throw alreadyExists('serviceaccounts', name);
  if (dryRun) return { kind: 'ServiceAccount', apiVersion: 'v1', ...(serviceAccount as JsonObject) };
  return state.objects.insert('serviceaccounts', serviceAccount as JsonObject);
}

export function deleteServiceAccount(state: ClusterState, namespace: string, name: string, options: DeleteOptionsInput): JsonObject {
  const serviceAccount = state.objects.get('serviceaccounts', namespace, name);
  if (!serviceAccount) throw notFound('serviceaccounts', name);
  checkPreconditions('serviceaccounts', serviceAccount, options);
  if (options.dryRun) return serviceAccount;
  return state.objects.remove('serviceaccounts', namespace, name) ?? serviceAccount;
}
