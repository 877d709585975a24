// POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews returns to the caller whether its own
// rules allow an action, with the same decision that authorization makes for a real request
// (Kubernetes pkg/registry/authorization/selfsubjectaccessreview/rest.go and
// pkg/apis/authorization/validation/validation.go, 1.34).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAllowed, isNonResourceAllowed, type ClusterUser } from '../auth';
import { checkObject, isPlainObject, type JsonObject, parseBody } from '../decode/decode';
import { SELF_SUBJECT_ACCESS_REVIEW_SCHEMA } from '../decode/schemas';
import { invalid as invalidField, type FieldError } from '../field-errors';
import { readBody, sendJson } from '../http';
import { invalid, methodNotAllowed } from '../status';

export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const GROUP_VERSION = 'authorization.k8s.io/v1';
const KIND = 'SelfSubjectAccessReview';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

/** Decodes and validates the review, decides it for `user` and responds 201 with its status. */
export async function serveAccessReview(request: IncomingMessage, response: ServerResponse, user: ClusterUser): Promise<void> {
  if (request.method !== 'POST') throw methodNotAllowed();
  const parsed = parseBody(await readBody(request), request.headers['content-type'], KIND);
  const review = checkObject(parsed, KIND, SELF_SUBJECT_ACCESS_REVIEW_SCHEMA, [GROUP_VERSION]);
  const spec = (isPlainObject(review.spec) ? review.spec : {}) as { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes };
  const errors = validateReview(review, spec);
  if (errors.length > 0) throw invalid(KIND, '', errors, 'authorization.k8s.io');
  const allowed = spec.resourceAttributes
    ? isAllowed(user, {
      verb: spec.resourceAttributes.verb ?? '',
      apiGroup: spec.resourceAttributes.group ?? '',
      resource: spec.resourceAttributes.resource ?? '',
      subresource: spec.resourceAttributes.subresource ?? '',
      namespace: spec.resourceAttributes.namespace ?? '',
    })
    : isNonResourceAllowed(user, spec.nonResourceAttributes?.path ?? '', spec.nonResourceAttributes?.verb ?? '');
  sendJson(response, 201, {
    kind: KIND,
    apiVersion: GROUP_VERSION,
    metadata: { creationTimestamp: null },
    spec,
    // The RBAC authorizer never denies; a request no rule allows gets no opinion, so `denied` stays unset.
    status: { allowed },
  });
}

/** ValidateSelfSubjectAccessReview: exactly one kind of attributes, and empty metadata. */
function validateReview(review: JsonObject, spec: { resourceAttributes?: unknown; nonResourceAttributes?: unknown }): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    errors.push(invalidField('spec.nonResourceAttributes', goValue(spec.nonResourceAttributes, 'authorization.NonResourceAttributes'),
      'cannot be specified in combination with resourceAttributes'));
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    // Go prints the nil pointer it was given as "null".
    errors.push(invalidField('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  const metadata = isPlainObject(review.metadata) ? review.metadata : {};
  const filled = Object.entries(metadata).filter(([field, value]) => field !== 'creationTimestamp' && value !== undefined && value !== null && value !== '');
  if (filled.length > 0) {
    // NOTE: Go prints the whole ObjectMeta with %#v here; the stand-in names only the fields that are set.
    errors.push(invalidField('metadata', goValue(Object.fromEntries(filled), 'v1.ObjectMeta'), 'must be empty'));
  }
  return errors;
}

/** Formats a struct roughly as Go's %#v does, such as `authorization.NonResourceAttributes{Path:"/x", Verb:"get"}`. */
function goValue(value: unknown, typeName: string): { text: string } {
  const fields = isPlainObject(value)
    ? Object.entries(value).map(([field, item]) => `${field[0].toUpperCase()}${field.slice(1)}:${JSON.stringify(item)}`)
    : [];
  return { text: `${typeName}{${fields.join(', ')}}` };
}
