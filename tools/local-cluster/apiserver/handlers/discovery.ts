// Discovery documents (/version, /api, /api/v1, /apis and the authorization.k8s.io group) and
// health endpoints, listing only what the local cluster serves.

/** The Kubernetes release whose behaviour the local cluster follows. */
export const KUBERNETES_VERSION = { major: '1', minor: '34', gitVersion: 'v1.34.1' };

const POD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'watch'];

const API_RESOURCES = [
  { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['deletecollection', 'get', 'list', 'watch'], shortNames: ['ev'] },
  { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create', 'delete', 'get', 'list', 'watch'], shortNames: ['ns'] },
  { name: 'namespaces/status', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['get'] },
  { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: POD_VERBS, shortNames: ['po'], categories: ['all'] },
  { name: 'pods/attach', singularName: '', namespaced: true, kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
  { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
  { name: 'secrets', singularName: 'secret', namespaced: true, kind: 'Secret', verbs: POD_VERBS },
  { name: 'serviceaccounts', singularName: 'serviceaccount', namespaced: true, kind: 'ServiceAccount', verbs: POD_VERBS, shortNames: ['sa'] },
];

const AUTHORIZATION_VERSION = { groupVersion: 'authorization.k8s.io/v1', version: 'v1' };
const AUTHORIZATION_GROUP = { name: 'authorization.k8s.io', versions: [AUTHORIZATION_VERSION], preferredVersion: AUTHORIZATION_VERSION };
const AUTHORIZATION_RESOURCES = [
  { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
];

/**
 * Returns the document for a discovery path, or undefined when the path is not one. The
 * authorization.k8s.io group is listed when the server serves it (`authorizationApi`).
 */
export function discoveryDocument(path: string, serverAddress: string, authorizationApi = true): unknown {
  if (authorizationApi && path === '/apis/authorization.k8s.io') return { kind: 'APIGroup', apiVersion: 'v1', ...AUTHORIZATION_GROUP };
  if (authorizationApi && path === '/apis/authorization.k8s.io/v1') {
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: AUTHORIZATION_VERSION.groupVersion, resources: AUTHORIZATION_RESOURCES };
  }
  switch (path) {
    case '/version':
      return {
        ...KUBERNETES_VERSION,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2025-09-09T00:00:00Z',
        goVersion: 'go1.24.6',
        compiler: 'gc',
        platform: 'linux/amd64',
      };
    case '/api':
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
    case '/api/v1':
      return { kind: 'APIResourceList', groupVersion: 'v1', resources: API_RESOURCES };
    case '/apis':
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: authorizationApi ? [AUTHORIZATION_GROUP] : [] };
    default:
      return undefined;
  }
}

export function isHealthPath(path: string): boolean {
  return path === '/healthz' || path === '/livez' || path === '/readyz';
}
