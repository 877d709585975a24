// The target of a request as the API server's RequestInfoFactory reads it from the method and
// path: the verb, API group, resource, subresource, namespace and name that authorization checks.

export interface RequestInfo {
  /**
   * True for resource paths, /api/v1/... (the core group) and /apis/GROUP/VERSION/...; false for
   * /version, /api, /apis/GROUP/VERSION, /healthz and the like.
   */
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete or deletecollection. */
  verb: string;
  /** The API group, `""` for the core group. */
  apiGroup: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const METHOD_VERBS: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  GET: 'get',
  HEAD: 'get',
  DELETE: 'delete',
};

/** Subresources of a namespace, which keep `namespaces` as the resource. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((part) => part !== '');
  const nonResource: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: (METHOD_VERBS[method] ?? method).toLowerCase(),
    apiGroup: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  // The core group has no group segment: /api/VERSION/...; every other group is /apis/GROUP/VERSION/....
  let rest: string[];
  let apiGroup = '';
  if (parts[0] === 'api' && parts.length >= 3) {
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1];
    rest = parts.slice(3);
  } else {
    return nonResource;
  }
  const info: RequestInfo = { ...nonResource, isResourceRequest: true, apiGroup, verb: METHOD_VERBS[method] ?? method.toLowerCase() };
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  if (info.name === '' && info.verb === 'get') info.verb = isWatch(query) ? 'watch' : 'list';
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  if (info.name !== '' && info.verb === 'get' && isWatch(query)) info.verb = 'watch';
  return info;
}

export function isWatch(query: URLSearchParams): boolean {
  const value = query.get('watch');
  return value === 'true' || value === '1';
}
