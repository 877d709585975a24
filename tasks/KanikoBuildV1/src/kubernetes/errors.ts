// Readable, secret-free descriptions of Kubernetes API errors. client-node's ApiException
// message contains the response headers, so it is never shown as it is.
import { ApiException } from '@kubernetes/client-node';
import { STATUS_CODES } from 'node:http';

export interface ApiErrorInfo {
  /** HTTP status code, when the server sent a response. */
  code?: number;
  /** The Status reason, such as `NotFound` or `Forbidden`. */
  reason?: string;
  /** The server's message, or the client's when the server sent no response. */
  message: string;
}

export function apiErrorInfo(error: unknown): ApiErrorInfo {
  if (error instanceof ApiException) {
    // client-node drops the body of the responses the OpenAPI spec lists (such as 401), so
    // the HTTP reason phrase replaces the Status reason there.
    const status = statusBody(error.body);
    return {
      code: error.code,
      reason: status?.reason ?? STATUS_CODES[error.code]?.replace(/ /g, ''),
      message: status?.message ?? 'the server sent no error details',
    };
  }
  if (error instanceof Error) return { message: error.message.split('\n')[0] };
  return { message: String(error) };
}

/** Formats an API error as `HTTP 403 Forbidden: message`. */
export function describeApiError(error: unknown): string {
  const info = apiErrorInfo(error);
  const message = info.message.replace(/\.+$/, '');
  if (info.code === undefined) return message;
  return `HTTP ${info.code}${info.reason ? ` ${info.reason}` : ''}: ${message}`;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

function statusBody(body: unknown): { reason?: string; message?: string } | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (parsed && typeof parsed === 'object') {
    const { reason, message } = parsed as { reason?: unknown; message?: unknown };
    return {
      reason: typeof reason === 'string' ? reason : undefined,
      message: typeof message === 'string' ? message : undefined,
    };
  }
  return undefined;
}
