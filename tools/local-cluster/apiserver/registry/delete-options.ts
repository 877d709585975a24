// DeleteOptions from the query string and the request body, their validation, and the
// preconditions check of apimachinery's generic registry.
import type { JsonObject } from '../decode/decode';
import { type FieldError, notSupported } from '../field-errors';
import { badRequest, conflict, invalid } from '../status';
import { metadataOf } from '../store/object-store';

export interface DeleteOptionsInput {
  gracePeriodSeconds?: number;
  dryRun?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  /** `Orphan` keeps the object's dependents; `Background` (the default) and `Foreground` delete them. */
  propagationPolicy?: string;
}

const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'];

/**
 * Reads DeleteOptions; query parameters win over the body, as in the API server.
 * NOTE: `Foreground` acts as `Background` here: the owner does not wait for its dependents.
 */
export function parseDeleteOptions(query: URLSearchParams, body: JsonObject | undefined): DeleteOptionsInput {
  const dryRunValues = query.has('dryRun') ? query.getAll('dryRun') : ((body?.dryRun as string[] | undefined) ?? []);
  const propagationPolicy = query.get('propagationPolicy') ?? (body?.propagationPolicy as string | undefined);
  const errors: FieldError[] = [];
  if (dryRunValues.some((value) => value !== 'All')) {
    errors.push(notSupported('dryRun', { text: `[]string{${dryRunValues.map((value) => JSON.stringify(value)).join(', ')}}` }, ['All']));
  }
  if (propagationPolicy !== undefined && !PROPAGATION_POLICIES.includes(propagationPolicy)) {
    errors.push(notSupported('propagationPolicy', propagationPolicy, PROPAGATION_POLICIES));
  }
  if (errors.length > 0) throw invalid('DeleteOptions.meta.k8s.io', '', errors);
  const options: DeleteOptionsInput = { dryRun: dryRunValues.length > 0, propagationPolicy };
  const grace = query.get('gracePeriodSeconds') ?? body?.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) options.gracePeriodSeconds = parseGracePeriod(grace);
  if (body?.preconditions) options.preconditions = body.preconditions as DeleteOptionsInput['preconditions'];
  return options;
}

function parseGracePeriod(value: unknown): number {
  const seconds = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(seconds)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(String(value))}: invalid syntax`);
  // NOTE: the API server treats a negative grace period as 1 second; this copies that.
  return seconds < 0 ? 1 : seconds;
}

/**
 * Rejects a create that carries a resourceVersion, as the storage layer does after
 * validation: 400 `resourceVersion should not be set on objects to be created`.
 */
export function rejectResourceVersionOnCreate(metadata: { resourceVersion?: string }): void {
  if (metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
}

/** 409 Conflict when the object's uid or resourceVersion differs from the preconditions. */
export function checkPreconditions(resource: string, object: JsonObject, options: DeleteOptionsInput): void {
  const metadata = metadataOf(object);
  const { uid, resourceVersion } = options.preconditions ?? {};
  if (uid && uid !== metadata.uid) {
    throw conflict(resource, metadata.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${metadata.uid}`);
  }
  if (resourceVersion && resourceVersion !== metadata.resourceVersion) {
    throw conflict(
      resource,
      metadata.name,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${metadata.resourceVersion}`,
    );
  }
}
