// metadata.ownerReferences validation, after ValidateOwnerReferences in
// k8s.io/apimachinery/pkg/api/validation/objectmeta.go (Kubernetes 1.34). The errors of each
// reference use the list's path without an index, as there.
import { child, type FieldError, invalid } from '../field-errors';

/** An owner reference as decoded from JSON; the decoder has checked the field types. */
export interface OwnerReferenceInput {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export function validateOwnerReferences(references: OwnerReferenceInput[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  let firstController = '';
  for (const reference of references) {
    errors.push(...validateOwnerReference(reference, path));
    if (reference.controller !== true) continue;
    const controller = `${reference.kind ?? ''}/${reference.name ?? ''}`;
    if (!firstController) {
      firstController = controller;
    } else {
      errors.push(invalid(path, { text: formatReferences(references) },
        `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${controller}`));
    }
  }
  return errors;
}

function validateOwnerReference(reference: OwnerReferenceInput, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const version = apiVersionParts(reference.apiVersion ?? '')?.version ?? '';
  if (!version) errors.push(invalid(child(path, 'apiVersion'), reference.apiVersion ?? '', 'version must not be empty'));
  if (!reference.kind) errors.push(invalid(child(path, 'kind'), reference.kind ?? '', 'kind must not be empty'));
  if (!reference.name) errors.push(invalid(child(path, 'name'), reference.name ?? '', 'name must not be empty'));
  if (!reference.uid) errors.push(invalid(child(path, 'uid'), reference.uid ?? '', 'uid must not be empty'));
  const group = apiVersionParts(reference.apiVersion ?? '')?.group ?? '';
  // Events are the only banned owners (BannedOwners in objectmeta.go).
  if (group === '' && version === 'v1' && reference.kind === 'Event') {
    errors.push(invalid(path, { text: formatReferences([reference]) }, '/v1, Kind=Event is disallowed from being an owner'));
  }
  return errors;
}

/**
 * Splits an apiVersion as schema.ParseGroupVersion does: `v1` is the core group, `apps/v1` names
 * a group, and anything with more than one slash is invalid (undefined).
 */
export function apiVersionParts(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return undefined;
}

// NOTE: Go prints the bad value with %#v (`[]v1.OwnerReference{...}`); this prints JSON instead.
function formatReferences(references: OwnerReferenceInput[]): string {
  return JSON.stringify(references);
}
