// The checks of `GET/POST pods/NAME/attach` before any stream opens: the PodAttachOptions in
// the query, then the pod, the container and the node, as AttachLocation and streamLocation do
// (pkg/registry/core/pod/strategy.go, Kubernetes 1.34). A request that is not an upgrade then
// fails as the API server's upgrade-aware proxy rejects it.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { sendError } from '../http';
import { badRequest, methodNotAllowed, notFound } from '../status';
import type { ClusterState } from '../store/cluster-state';
import type { ResourceRequest } from './resources';

export interface AttachOptions {
  /** The container to attach to; empty picks the pod's only container. */
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * Reads PodAttachOptions from the query. The API server converts query booleans with
 * apimachinery's Convert_Slice_string_To_bool: only a missing parameter, "0" and "false" (in
 * any case) are false, so an empty value such as `tty=` is true.
 */
export function parseAttachOptions(query: URLSearchParams): AttachOptions {
  const flag = (name: string): boolean => {
    const value = query.get(name);
    return value !== null && value !== '0' && value.toLowerCase() !== 'false';
  };
  return {
    container: query.get('container') ?? '',
    stdin: flag('stdin'),
    stdout: flag('stdout'),
    stderr: flag('stderr'),
    tty: flag('tty'),
  };
}

/** Returns the container to attach to; throws the API server's 404 or 400 when there is none. */
export function resolveAttachContainer(state: ClusterState, namespace: string, name: string, requested: string): string {
  const pod = state.objects.get('pods', namespace, name) as V1Pod | undefined;
  if (!pod) throw notFound('pods', name);
  const containers = pod.spec?.containers ?? [];
  const initContainers = pod.spec?.initContainers ?? [];
  let container = requested;
  if (container === '') {
    if (containers.length === 1) container = containers[0].name;
    else if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    else {
      let message = `a container name must be specified for pod ${name}, choose one of: [${names(containers)}]`;
      if (initContainers.length > 0) message += ` or one of the init containers: [${names(initContainers)}]`;
      throw badRequest(message);
    }
  } else if (![...containers, ...initContainers].some((candidate) => candidate.name === container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  return container;
}

/** Serves an attach request without an upgrade: the checks, then 400 as the upgrade-aware proxy sends it. */
export function serveAttachRequest(context: ResourceRequest, namespace: string, name: string): void {
  const { request, response, state, query } = context;
  if (request.method !== 'GET' && request.method !== 'POST') throw methodNotAllowed();
  resolveAttachContainer(state, namespace, name, parseAttachOptions(query).container);
  sendError(response, badRequest('Upgrade request required'));
}

function names(containers: V1Container[]): string {
  return containers.map((container) => container.name).join(' ');
}
