// ServiceAccount validation on create, after ValidateServiceAccount in
// pkg/apis/core/validation/validation.go (Kubernetes 1.34): the object metadata with a
// DNS-1123 subdomain name. The secrets and imagePullSecrets references are not checked there.
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { FieldError } from '../field-errors';
import { subdomainName, validateObjectMeta } from './metadata';

export function validateServiceAccountCreate(serviceAccount: V1ServiceAccount): FieldError[] {
  return validateObjectMeta(serviceAccount.metadata ?? {}, true, subdomainName);
}
