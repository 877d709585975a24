// Field-level validation errors, formatted like k8s.io/apimachinery/pkg/util/validation/field
// (errors.go): `spec.containers[0].image: Required value` and the like.
import type { StatusCause } from './status';

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany';

/**
 * The offending value. Strings print quoted (Go's %q), numbers and booleans plain, and
 * `{ text }` prints its text unquoted, as Go does for values that implement fmt.Stringer
 * (resource.Quantity, core.ResourceName).
 */
export type BadValue = string | number | boolean | null | { text: string };

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue: BadValue;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
};

export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, badValue: '', detail };
}

export function invalid(field: string, badValue: BadValue, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue, detail };
}

export function duplicate(field: string, badValue: BadValue): FieldError {
  return { type: 'FieldValueDuplicate', field, badValue, detail: '' };
}

export function notFoundValue(field: string, badValue: BadValue): FieldError {
  return { type: 'FieldValueNotFound', field, badValue, detail: '' };
}

export function forbiddenField(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, badValue: '', detail };
}

export function tooLong(field: string, maxBytes: number): FieldError {
  return { type: 'FieldValueTooLong', field, badValue: '', detail: `must have at most ${maxBytes} bytes` };
}

/** Reports an enumerated field whose value is not in `supported`; the detail lists them quoted. */
export function notSupported(field: string, badValue: BadValue, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map((value) => JSON.stringify(value)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, badValue, detail };
}

/** Returns the message without the field path, such as `Invalid value: "x": must be ...`. */
export function errorBody(error: FieldError): string {
  const typeText = TYPE_TEXT[error.type];
  const omitsValue = ['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong'].includes(error.type);
  let body = omitsValue ? typeText : `${typeText}: ${formatBadValue(error.badValue)}`;
  if (error.detail) body += `: ${error.detail}`;
  return body;
}

function formatBadValue(value: BadValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return value.text;
  return String(value);
}

export function errorMessage(error: FieldError): string {
  return `${error.field}: ${errorBody(error)}`;
}

export function toStatusCause(error: FieldError): StatusCause {
  return { reason: error.type, message: errorBody(error), field: error.field };
}

/**
 * Joins messages like apimachinery's aggregate error: one message alone, several as
 * `[a, b]`. Repeated messages are dropped, as field.ErrorList.ToAggregate does.
 */
export function aggregateMessage(errors: FieldError[]): string {
  const messages = [...new Set(errors.map(errorMessage))];
  if (messages.length === 0) return '';
  if (messages.length === 1) return messages[0];
  return `[${messages.join(', ')}]`;
}

/** Field path helpers mirroring field.Path's Child, Index and Key. */
export function child(path: string, ...names: string[]): string {
  return [path, ...names].filter((part) => part !== '').join('.');
}

export function index(path: string, position: number): string {
  return `${path}[${position}]`;
}

export function key(path: string, mapKey: string): string {
  return `${path}[${mapKey}]`;
}
