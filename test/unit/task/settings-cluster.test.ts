// parseSettings with Kubernetes service connections of the Kubeconfig and Service Account kinds.
import { strict as assert } from 'node:assert';
import { KubeConfig } from '@kubernetes/client-node';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { KubeconfigClusterSettings, Settings } from '../../../tasks/KanikoBuildV1/src/settings/types';
import {
  base64, CA_PEM, DEV_TOKEN, kubeconfigEndpoint, kubeconfigYaml, PROD_TOKEN, rawRun, SERVICE_ACCOUNT_TOKEN,
  serviceAccountEndpoint, settingsProblems,
} from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

/** Loads the kubeconfig the settings produced, as the task's Kubernetes client does. */
function loadKubeconfig(text: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(text);
  return config;
}

/** Returns the kubeconfig settings of a run that used a Kubernetes service connection. */
function kubeconfigCluster(settings: Settings): KubeconfigClusterSettings {
  assert.equal(settings.cluster.kind, 'kubeconfig');
  return settings.cluster as KubeconfigClusterSettings;
}

describe('settings: Kubernetes connection', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));

  it('Service Account connection builds a kubeconfig', () => {
    const settings = parseSettings(rawRun(root(), { kubernetesEndpoint: serviceAccountEndpoint() }));
    const config = loadKubeconfig(kubeconfigCluster(settings).kubeconfig);

    assert.equal(kubeconfigCluster(settings).connectionName, 'service-account-connection');
    assert.equal(kubeconfigCluster(settings).skipTlsVerify, false);
    assert.equal(config.getCurrentCluster()?.server, 'https://aks.cluster.example.test:443');
    assert.equal(config.getCurrentCluster()?.skipTLSVerify, false);
    assert.equal(config.getCurrentUser()?.token, SERVICE_ACCOUNT_TOKEN);
    assert.equal(config.getCurrentCluster()?.caData, base64(CA_PEM));
    assert.equal(Buffer.from(config.getCurrentCluster()?.caData ?? '', 'base64').toString('utf8'), CA_PEM);
    assert.equal(config.getContexts().length, 1);
  });

  it('Kubeconfig connection keeps only the current context', () => {
    const settings = parseSettings(rawRun(root(), { kubernetesEndpoint: kubeconfigEndpoint() }));
    const config = loadKubeconfig(kubeconfigCluster(settings).kubeconfig);

    assert.equal(kubeconfigCluster(settings).connectionName, 'kubeconfig-connection');
    assert.equal(config.getCurrentCluster()?.server, 'https://dev.cluster.example.test:6443');
    assert.equal(config.getCurrentUser()?.token, DEV_TOKEN);
    assert.equal(config.getCurrentCluster()?.caData, base64(CA_PEM));
    assert.equal(config.getContexts().length, 1);
    assert.equal(config.getClusters().length, 1);
    assert.equal(config.getUsers().length, 1);
    assert.ok(!kubeconfigCluster(settings).kubeconfig.includes(PROD_TOKEN), 'the unused context leaked its token');
  });

  it('clusterContext selects another context', () => {
    const endpoint = kubeconfigEndpoint({ clusterContext: 'prod' });
    const settings = parseSettings(rawRun(root(), { kubernetesEndpoint: endpoint }));
    const config = loadKubeconfig(kubeconfigCluster(settings).kubeconfig);

    assert.equal(config.getCurrentCluster()?.server, 'https://prod.cluster.example.test:6443');
    assert.equal(config.getCurrentUser()?.token, PROD_TOKEN);
    assert.ok(!kubeconfigCluster(settings).kubeconfig.includes(DEV_TOKEN), 'the unused context leaked its token');
  });

  it('missing clusterContext is reported with known contexts', () => {
    const endpoint = kubeconfigEndpoint({ clusterContext: 'staging' });
    const problems = settingsProblems(rawRun(root(), { kubernetesEndpoint: endpoint }));

    assert.equal(problems.length, 1);
    assert.match(problems[0], /^Input kubernetesServiceConnection:/);
    assert.match(problems[0], /'staging'/);
    assert.match(problems[0], /dev, prod/);
  });

  it('kind inferred without authorizationType', () => {
    const kubeconfig = kubeconfigEndpoint();
    const serviceAccount = serviceAccountEndpoint();
    kubeconfig.data = {};
    serviceAccount.data = {};

    const fromKubeconfig = loadKubeconfig(kubeconfigCluster(parseSettings(rawRun(root(), { kubernetesEndpoint: kubeconfig }))).kubeconfig);
    const fromServiceAccount = loadKubeconfig(kubeconfigCluster(parseSettings(rawRun(root(), { kubernetesEndpoint: serviceAccount }))).kubeconfig);

    assert.equal(fromKubeconfig.getCurrentUser()?.token, DEV_TOKEN);
    assert.equal(fromServiceAccount.getCurrentUser()?.token, SERVICE_ACCOUNT_TOKEN);
  });

  const skipTlsCases = [
    { name: 'Service Account', endpoint: serviceAccountEndpoint({ acceptUntrustedCerts: 'true' }) },
    { name: 'Kubeconfig', endpoint: kubeconfigEndpoint({ acceptUntrustedCerts: 'True' }) },
  ];
  for (const { name, endpoint } of skipTlsCases) {
    it(`acceptUntrustedCerts skips TLS verification (${name})`, () => {
      const settings = parseSettings(rawRun(root(), { kubernetesEndpoint: endpoint }));
      const config = loadKubeconfig(kubeconfigCluster(settings).kubeconfig);

      assert.equal(kubeconfigCluster(settings).skipTlsVerify, true);
      assert.equal(config.getCurrentCluster()?.skipTLSVerify, true);
    });
  }

  it('acceptUntrustedCerts false keeps the kubeconfig choice', () => {
    const endpoint = kubeconfigEndpoint({ acceptUntrustedCerts: 'false' }, kubeconfigYaml({ skipTlsVerify: true }));
    const settings = parseSettings(rawRun(root(), { kubernetesEndpoint: endpoint }));

    assert.equal(kubeconfigCluster(settings).skipTlsVerify, false);
    assert.equal(loadKubeconfig(kubeconfigCluster(settings).kubeconfig).getCurrentCluster()?.skipTLSVerify, true);
  });

  const namespaceCases = [
    { name: 'input wins', input: 'from-input', endpoint: kubeconfigEndpoint({ namespace: 'from-connection' }), expected: 'from-input' },
    { name: 'connection data next', input: '', endpoint: kubeconfigEndpoint({ namespace: 'from-connection' }), expected: 'from-connection' },
    { name: 'kubeconfig context next', input: '', endpoint: kubeconfigEndpoint(), expected: 'dev-ns' },
    { name: 'default last', input: '', endpoint: kubeconfigEndpoint({ clusterContext: 'prod' }), expected: 'default' },
    { name: 'default for Service Account', input: '', endpoint: serviceAccountEndpoint(), expected: 'default' },
  ];
  for (const { name, input, endpoint, expected } of namespaceCases) {
    it(`namespace fallback: ${name}`, () => {
      const settings = parseSettings(rawRun(root(), { inputs: { namespace: input }, kubernetesEndpoint: endpoint }));

      assert.equal(settings.pod.namespace, expected);
    });
  }

  const invalidCases = [
    { name: 'no connection', endpoint: null, pattern: /^Input kubernetesServiceConnection: no service connection/ },
    {
      name: 'unsupported flavour',
      endpoint: serviceAccountEndpoint({ authorizationType: 'Certificate' }),
      pattern: /authentication method 'Certificate'/,
    },
    { name: 'http server URL', endpoint: serviceAccountEndpoint({}, 'http://aks.cluster.example.test'), pattern: /is not an https URL/ },
    {
      name: 'missing token',
      endpoint: { ...serviceAccountEndpoint(), parameters: { serviceAccountCertificate: base64(CA_PEM) } },
      pattern: /contains no token/,
    },
    { name: 'missing kubeconfig', endpoint: { ...kubeconfigEndpoint(), parameters: {} }, pattern: /contains no kubeconfig/ },
    { name: 'unreadable kubeconfig', endpoint: kubeconfigEndpoint({}, 'clusters: [unclosed'), pattern: /cannot be read/ },
    {
      name: 'kubeconfig without current context',
      endpoint: kubeconfigEndpoint({}, kubeconfigYaml().replace(/^current-context: .*$/m, '')),
      pattern: /context '\(none\)' names no cluster/,
    },
  ];
  for (const { name, endpoint, pattern } of invalidCases) {
    it(`connection rejected: ${name}`, () => {
      const problems = settingsProblems(rawRun(root(), { kubernetesEndpoint: endpoint }));

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /^Input kubernetesServiceConnection:/);
      assert.match(problems[0], pattern);
    });
  }

  it('context naming an unknown user is reported', () => {
    const kubeconfig = kubeconfigYaml().replace('    user: dev-user', '    user: ghost-user');
    const problems = settingsProblems(rawRun(root(), { kubernetesEndpoint: kubeconfigEndpoint({}, kubeconfig) }));

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input kubernetesServiceConnection:/);
  });
});
