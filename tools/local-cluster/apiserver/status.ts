// Kubernetes `Status` objects and the errors that carry them. Messages, reasons and
// details follow k8s.io/apimachinery/pkg/api/errors (errors.go) of Kubernetes 1.34.
import { aggregateMessage, type FieldError, toStatusCause } from './field-errors';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** An error that the server returns as a `Status` body with the status's code. */
export class ApiError extends Error {
  constructor(
    readonly status: Status & { code: number },
    readonly headers: Record<string, string> = {},
  ) {
    super(status.message);
    this.name = 'ApiError';
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  // The key order matches Go's serialisation of metav1.Status: details comes before code.
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details: stripEmpty(details) } : {}),
    code,
  });
}

function stripEmpty(details: StatusDetails): StatusDetails {
  const result: StatusDetails = {};
  if (details.name) result.name = details.name;
  if (details.group) result.group = details.group;
  if (details.kind) result.kind = details.kind;
  if (details.uid) result.uid = details.uid;
  if (details.causes && details.causes.length > 0) result.causes = details.causes;
  if (details.retryAfterSeconds) result.retryAfterSeconds = details.retryAfterSeconds;
  return result;
}

/** 404 for a named object, such as `pods "x" not found`. */
export function notFound(resource: string, name: string): ApiError {
  return failure(404, 'NotFound', `${resource} ${JSON.stringify(name)} not found`, { name, kind: resource });
}

/** 404 for a path the server does not serve. */
export function pathNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(resource: string, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${resource} ${JSON.stringify(name)} already exists`, { name, kind: resource });
}

export function conflict(resource: string, name: string, reason: string): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${resource} ${JSON.stringify(name)}: ${reason}`, {
    name,
    kind: resource,
  });
}

/**
 * Returns 422 Invalid with one cause per field error. `kind` is the object kind, such as `Pod`.
 * `group` is its API group outside the core group, and the message then names it `Kind.group`.
 */
export function invalid(kind: string, name: string, errors: FieldError[], group = ''): ApiError {
  const summary = aggregateMessage(errors);
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const message = summary ? `${qualifiedKind} ${JSON.stringify(name)} is invalid: ${summary}` : `${qualifiedKind} ${JSON.stringify(name)} is invalid`;
  return failure(422, 'Invalid', message, { name, group, kind, causes: errors.map(toStatusCause) });
}

/**
 * 422 for a JSON Patch operation that does not apply. The API server sends a generic message
 * (NewGenericServerResponse in errors.go), so the client never learns which operation failed.
 */
export function patchNotApplicable(): ApiError {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/**
 * 403 in the form of apimachinery's NewForbidden: `pods "x" is forbidden: REASON`, or
 * `pods is forbidden: REASON` without a name, or `forbidden: REASON` outside any resource.
 */
export function forbidden(resource: string, name: string, reason: string, causes?: StatusCause[]): ApiError {
  let message: string;
  if (!resource) message = `forbidden: ${reason}`;
  else if (!name) message = `${resource} is forbidden: ${reason}`;
  else message = `${resource} ${JSON.stringify(name)} is forbidden: ${reason}`;
  return failure(403, 'Forbidden', message, { name, kind: resource, causes });
}

/** 410 Expired, sent when a watch starts from a resourceVersion older than the history. */
export function expired(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function methodNotAllowed(): ApiError {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

/** 415 for a body in a media type the endpoint does not decode; `accepted` lists those it does. */
export function unsupportedMediaType(accepted = ['application/json', 'application/yaml']): ApiError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function requestEntityTooLarge(limit: number): ApiError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** 504 for a watch that requests a resourceVersion the server has not reached. */
export function resourceVersionTooLarge(requested: number, current: number): ApiError {
  const error = failure(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
  error.headers['Retry-After'] = '1';
  return error;
}

/** 503 as apimachinery's NewGenericServerResponse words it, for a server that cannot serve now. */
export function serviceUnavailable(): ApiError {
  return failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
}

/** 504 from the API server's timeout filter (WithTimeoutForNonLongRunningRequests in k8s.io/apiserver). */
export function requestTimeout(): ApiError {
  return failure(504, 'Timeout', 'Timeout: request did not complete within the allotted timeout', {});
}

/** 429 TooManyRequests as apimachinery's NewTooManyRequests builds it, with the Retry-After header the response writer adds. */
export function tooManyRequests(message: string, retryAfterSeconds: number): ApiError {
  const error = failure(429, 'TooManyRequests', message, { retryAfterSeconds });
  error.headers['Retry-After'] = String(retryAfterSeconds);
  return error;
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/** The `Status` that a successful DELETE of a Secret (or any non-pod object) returns. */
export function deleteSuccess(resource: string, name: string, uid: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: stripEmpty({ name, kind: resource, uid }) };
}
