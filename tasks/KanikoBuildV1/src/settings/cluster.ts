// Turns the Kubernetes service connection into a kubeconfig for the run.
import { loc } from '../messages';
import {
  currentCluster, currentUser, exportKubeconfig, findContext, parseKubeconfig, type Cluster, type Context, type Kubeconfig, type User,
} from './kubeconfig';
import type { Problems } from './problems';
import type { RawEndpoint } from './raw';
import type { KubeconfigClusterSettings } from './types';

const RUN_CONTEXT = 'kaniko-build';

/** Parses a Kubeconfig, Service Account or Azure Subscription connection; adds a problem and returns undefined when unusable. */
export function parseClusterEndpoint(
  endpoint: RawEndpoint | undefined, problems: Problems,
): KubeconfigClusterSettings | undefined {
  if (!endpoint) {
    problems.add(loc('ConnectionMissing', 'kubernetesServiceConnection'));
    return undefined;
  }
  const flavour = endpoint.data.authorizationType || (endpoint.parameters.kubeconfig ? 'Kubeconfig' : 'ServiceAccount');
  const skipTlsVerify = endpoint.data.acceptUntrustedCerts?.toLowerCase() === 'true';
  let config: Kubeconfig | undefined;
  if (flavour === 'Kubeconfig') {
    config = fromKubeconfig(endpoint, problems);
  } else if (flavour === 'ServiceAccount' || flavour === 'AzureSubscription') {
    // An Azure Subscription connection carries the same token and CA parameters, which the
    // service fills in for the job from the AKS cluster it names.
    config = fromServiceAccount(endpoint, problems);
  } else {
    problems.add(loc('ClusterFlavourUnsupported', endpoint.input, flavour));
  }
  if (!config) return undefined;
  return {
    kind: 'kubeconfig',
    connectionName: endpoint.id,
    kubeconfig: withTlsChoice(config, skipTlsVerify),
    skipTlsVerify,
    connectionNamespace: endpoint.data.namespace || findContext(config, config.currentContext)?.namespace,
  };
}

function fromKubeconfig(endpoint: RawEndpoint, problems: Problems): Kubeconfig | undefined {
  const text = endpoint.parameters.kubeconfig;
  if (!text) {
    problems.add(loc('KubeconfigMissing', endpoint.input));
    return undefined;
  }
  let config: Kubeconfig;
  try {
    config = parseKubeconfig(text);
  } catch (error) {
    problems.add(loc('KubeconfigInvalid', endpoint.input, errorText(error)));
    return undefined;
  }
  const requestedContext = endpoint.data.clusterContext;
  if (requestedContext) {
    if (!findContext(config, requestedContext)) {
      const known = config.contexts.map((context) => context.name).join(', ') || '(none)';
      problems.add(loc('KubeconfigContextNotFound', endpoint.input, requestedContext, known));
      return undefined;
    }
    config.currentContext = requestedContext;
  }
  if (!currentCluster(config)?.server) {
    problems.add(loc('KubeconfigNoCluster', endpoint.input, config.currentContext || '(none)'));
    return undefined;
  }
  if (!currentUser(config)) {
    problems.add(loc('KubeconfigNoUser', endpoint.input, config.currentContext || '(none)'));
    return undefined;
  }
  return config;
}

function fromServiceAccount(endpoint: RawEndpoint, problems: Problems): Kubeconfig | undefined {
  const server = endpoint.url?.replace(/\/+$/, '');
  const encodedToken = endpoint.parameters.apiToken;
  if (!server || !/^https:\/\//i.test(server)) {
    problems.add(loc('ServerUrlInvalid', endpoint.input, server ?? '(empty)'));
    return undefined;
  }
  if (!encodedToken) {
    problems.add(loc('ServiceAccountTokenMissing', endpoint.input));
    return undefined;
  }
  // The connection stores the token as the Secret's base64 `token` field and the CA as the
  // base64 `ca.crt` field, which is already the form certificate-authority-data takes.
  const cluster: Cluster = { name: 'cluster', server, caData: endpoint.parameters.serviceAccountCertificate, skipTLSVerify: false };
  const user: User = { name: 'service-account', token: Buffer.from(encodedToken, 'base64').toString('utf8').trim() };
  const context: Context = { name: RUN_CONTEXT, cluster: cluster.name, user: user.name };
  return { clusters: [cluster], users: [user], contexts: [context], currentContext: context.name };
}

/** Returns a kubeconfig (JSON) that holds only the chosen context, with the connection's TLS choice applied. */
function withTlsChoice(config: Kubeconfig, skipTlsVerify: boolean): string {
  const context = findContext(config, config.currentContext) as Context;
  const cluster = currentCluster(config) as Cluster;
  const user = currentUser(config) as User;
  return exportKubeconfig({
    clusters: [{ ...cluster, skipTLSVerify: skipTlsVerify || cluster.skipTLSVerify }],
    users: [user],
    contexts: [{ ...context, name: RUN_CONTEXT }],
    currentContext: RUN_CONTEXT,
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
