// The requests that a fault plan may touch, and how each is served. Faults reach only resource
// requests below /api/v1 and /apis/GROUP/VERSION, never discovery, /version or health checks.
import { BOOLEAN_TRUE_TEXTS } from '../handlers/logs';
import { isWatch, type RequestInfo } from '../request-info';
import type { RequestKind } from './injector';

const GROUP_RESOURCE_PATH = /^\/apis\/[^/]+\/[^/]+\/[^/]+/;

/** Returns whether faults may apply to the request at `path`. */
export function isFaultTarget(path: string, info: RequestInfo): boolean {
  return (info.isResourceRequest && path.startsWith('/api/v1/')) || GROUP_RESOURCE_PATH.test(path);
}

/** Returns how the server serves a request: a watch, a followed log stream, or a plain request. */
export function requestKind(method: string, info: RequestInfo, query: URLSearchParams): RequestKind {
  if (method !== 'GET') return 'plain';
  if (isWatch(query)) return 'watch';
  const follows = BOOLEAN_TRUE_TEXTS.includes(query.get('follow') ?? '');
  return info.resource === 'pods' && info.subresource === 'log' && follows ? 'followLog' : 'plain';
}
