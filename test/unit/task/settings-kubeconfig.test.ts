// The settings' kubeconfig reader against client-node's KubeConfig, which the run's Kubernetes
// client loads the result with, so both must read every document the same way.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  currentCluster, currentUser, exportKubeconfig, findContext, parseKubeconfig,
} from '../../../tasks/KanikoBuildV1/src/settings/kubeconfig';
import { base64, CA_PEM, kubeconfigYaml } from './support/raw-run';
import { useTempDir } from './support/temp-dir';

function loadWithClientNode(text: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(text);
  return config;
}

/** Returns an error's message, or undefined when `read` returned. */
function errorOf(read: () => unknown): string | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const CERTIFICATE_USER = [
  'apiVersion: v1',
  'clusters:',
  '- name: c',
  '  cluster:',
  '    server: https://10.0.0.1/',
  '    tls-server-name: kubernetes',
  '    proxy-url: http://proxy.example.test:3128',
  'users:',
  '- name: u',
  '  user:',
  `    client-certificate-data: ${base64(CA_PEM)}`,
  `    client-key-data: ${base64('key')}`,
  '    as: builder',
  'contexts:',
  '- name: x',
  '  context: { cluster: c, user: u, namespace: builds }',
  'current-context: x',
  '',
].join('\n');

const JSON_DOCUMENT = JSON.stringify({
  clusters: [{ name: 'c', cluster: { server: 'https://api.example.test', 'insecure-skip-tls-verify': true } }],
  users: [{ name: 'u', user: { username: 'admin', password: 'p' } }],
  contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
  'current-context': 'x',
});

const DOCUMENTS: { name: string; text: string }[] = [
  { name: 'tokens and two contexts', text: kubeconfigYaml() },
  { name: 'the other context current', text: kubeconfigYaml({ currentContext: 'prod', skipTlsVerify: true }) },
  { name: 'client certificate and proxy', text: CERTIFICATE_USER },
  { name: 'JSON', text: JSON_DOCUMENT },
  { name: 'context without user', text: 'clusters: [{name: c, cluster: {server: "https://a"}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n' },
  { name: 'unknown current context', text: kubeconfigYaml({ currentContext: 'staging' }) },
];

describe('settings: kubeconfig reader', () => {
  const folder = useTempDir();

  for (const { name, text } of DOCUMENTS) {
    it(`reads ${name} as KubeConfig does`, () => {
      const ours = parseKubeconfig(text);
      const theirs = loadWithClientNode(text);

      assert.equal(exportKubeconfig(ours), theirs.exportConfig());
      assert.deepEqual(currentCluster(ours) ?? null, theirs.getCurrentCluster());
      assert.deepEqual(currentUser(ours) ?? null, theirs.getCurrentUser());
      assert.deepEqual(findContext(ours, ours.currentContext) ?? null, theirs.getContextObject(theirs.getCurrentContext()));
    });
  }

  it('reads a token file as KubeConfig does', () => {
    const tokenFile = path.join(folder(), 'token');
    fs.writeFileSync(tokenFile, 'token-from-file');
    const text = `users: [{name: u, user: {token-file: ${JSON.stringify(tokenFile)}}}]\n`;

    assert.equal(parseKubeconfig(text).users[0].token, 'token-from-file');
    assert.equal(parseKubeconfig(text).users[0].token, loadWithClientNode(text).getUsers()[0].token);
  });

  it('exported document loads back unchanged', () => {
    const exported = exportKubeconfig(parseKubeconfig(CERTIFICATE_USER));

    assert.equal(exportKubeconfig(parseKubeconfig(exported)), exported);
    assert.equal(loadWithClientNode(exported).exportConfig(), exported);
  });

  const invalid: { name: string; text: string }[] = [
    { name: 'broken YAML', text: 'clusters: [\n' },
    { name: 'cluster without server', text: 'clusters: [{name: c, cluster: {}}]\n' },
    { name: 'context without name', text: 'contexts: [{context: {cluster: c}}]\n' },
    { name: 'user without name', text: 'users: [{user: {token: t}}]\n' },
  ];
  for (const { name, text } of invalid) {
    it(`rejects ${name} as KubeConfig does`, () => {
      const ours = errorOf(() => parseKubeconfig(text));

      assert.ok(ours, 'parseKubeconfig returned');
      assert.equal(ours, errorOf(() => loadWithClientNode(text)));
    });
  }

  it('empty document has no entries', () => {
    const config = parseKubeconfig('\n');

    assert.deepEqual(config, { clusters: [], contexts: [], users: [], currentContext: '' });
    assert.equal(currentCluster(config), undefined);
  });
});
