import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { failure, simplePod, startTestServer, type TestServer } from './helpers';

const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

interface InvalidCase {
  title: string;
  change: (pod: V1Pod) => void;
  /** Each expected cause as `field: message`. */
  causes: string[];
}

const CASES: InvalidCase[] = [
  {
    title: 'pod name with capitals',
    change: (pod) => (pod.metadata!.name = 'Kaniko'),
    causes: [`metadata.name: Invalid value: "Kaniko": ${SUBDOMAIN_MESSAGE}`],
  },
  {
    title: 'pod name too long',
    change: (pod) => (pod.metadata!.name = 'a'.repeat(254)),
    causes: [`metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`],
  },
  {
    title: 'label value too long',
    change: (pod) => (pod.metadata!.labels = { run: 'x'.repeat(64) }),
    causes: [`metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`],
  },
  {
    title: 'label key with two slashes',
    change: (pod) => (pod.metadata!.labels = { 'a/b/c': 'x' }),
    causes: [
      "metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  },
  {
    title: 'negative ephemeral-storage limit',
    change: (pod) => (pod.spec!.containers[0].resources = { limits: { 'ephemeral-storage': '-1Gi' } }),
    // The API server copies a missing request from the limit before it validates, so both fail.
    causes: [
      'spec.containers[0].resources.limits[ephemeral-storage]: Invalid value: "-1Gi": must be greater than or equal to 0',
      'spec.containers[0].resources.requests[ephemeral-storage]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ],
  },
  {
    title: 'ephemeral-storage request above its limit',
    change: (pod) => (pod.spec!.containers[0].resources = { requests: { 'ephemeral-storage': '2Gi' }, limits: { 'ephemeral-storage': '1Gi' } }),
    causes: ['spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to ephemeral-storage limit of 1Gi'],
  },
  {
    title: 'no containers',
    change: (pod) => (pod.spec!.containers = []),
    causes: ['spec.containers: Required value'],
  },
  {
    title: 'container without image',
    change: (pod) => (pod.spec!.containers[0].image = ''),
    causes: ['spec.containers[0].image: Required value'],
  },
  {
    title: 'container name with capitals',
    change: (pod) => (pod.spec!.containers[0].name = 'Kaniko'),
    causes: [`spec.containers[0].name: Invalid value: "Kaniko": ${LABEL_MESSAGE}`],
  },
  {
    title: 'duplicate container names',
    change: (pod) => pod.spec!.containers.push({ ...pod.spec!.containers[0] }),
    causes: ['spec.containers[1].name: Duplicate value: "kaniko"'],
  },
  {
    title: 'unsupported restartPolicy',
    change: (pod) => (pod.spec!.restartPolicy = 'Sometimes'),
    causes: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  },
  {
    title: 'requests above limits',
    change: (pod) => (pod.spec!.containers[0].resources = { requests: { cpu: '1500m' }, limits: { cpu: '1' } }),
    causes: ['spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1'],
  },
  {
    title: 'negative memory request',
    change: (pod) => (pod.spec!.containers[0].resources = { requests: { memory: '-1Gi' } }),
    causes: ['spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0'],
  },
  {
    // Requests default to the limits before validation, so both report the name.
    title: 'unknown resource name',
    change: (pod) => (pod.spec!.containers[0].resources = { limits: { gpu: '1' } }),
    causes: [
      'spec.containers[0].resources.limits[gpu]: Invalid value: gpu: must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[gpu]: Invalid value: gpu: must be a standard resource for containers',
      'spec.containers[0].resources.requests[gpu]: Invalid value: gpu: must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: gpu: must be a standard resource for containers',
    ],
  },
  {
    title: 'volume mount of a missing volume',
    change: (pod) => (pod.spec!.containers[0].volumeMounts = [{ name: 'docker-config', mountPath: '/kaniko/.docker' }]),
    causes: ['spec.containers[0].volumeMounts[0].name: Not found: "docker-config"'],
  },
  {
    title: 'volume mount without a path',
    change: (pod) => {
      pod.spec!.volumes = [{ name: 'work', emptyDir: {} }];
      pod.spec!.containers[0].volumeMounts = [{ name: 'work', mountPath: '' }];
    },
    causes: ['spec.containers[0].volumeMounts[0].mountPath: Required value'],
  },
  {
    title: 'secret volume without a secret name',
    change: (pod) => (pod.spec!.volumes = [{ name: 'config', secret: {} }]),
    causes: ['spec.volumes[0].secret.secretName: Required value'],
  },
  {
    title: 'volume with two sources',
    change: (pod) => (pod.spec!.volumes = [{ name: 'config', emptyDir: {}, secret: { secretName: 's' } }]),
    causes: ['spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type'],
  },
  {
    title: 'env name with =',
    change: (pod) => (pod.spec!.containers[0].env = [{ name: 'A=B', value: 'x' }]),
    causes: [
      "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
    ],
  },
  {
    title: 'secretKeyRef without a key',
    change: (pod) => (pod.spec!.containers[0].env = [{ name: 'KEY', valueFrom: { secretKeyRef: { name: 'storage', key: '' } } }]),
    causes: ['spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value'],
  },
  {
    title: 'value and valueFrom together',
    change: (pod) => (pod.spec!.containers[0].env = [{ name: 'KEY', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]),
    causes: ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
  },
  {
    title: 'activeDeadlineSeconds of zero',
    change: (pod) => (pod.spec!.activeDeadlineSeconds = 0),
    causes: ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
  },
  {
    title: 'image with a trailing space',
    change: (pod) => (pod.spec!.containers[0].image = 'busybox '),
    causes: ['spec.containers[0].image: Invalid value: "busybox ": must not have leading or trailing whitespace'],
  },
  {
    title: 'toleration with an unknown operator',
    change: (pod) => (pod.spec!.tolerations = [{ key: 'dedicated', operator: 'Like', value: 'builds' }]),
    causes: ['spec.tolerations[0].operator: Unsupported value: "Like": supported values: "Equal", "Exists"'],
  },
];

describe('local API server: pod validation', () => {
  let test: TestServer;

  before(async () => {
    test = await startTestServer();
    test.server.createNamespace('builds');
  });

  after(async () => {
    await test.server.stop();
  });

  for (const testCase of CASES) {
    it(`rejects ${testCase.title}`, async () => {
      const pod = simplePod('build');
      testCase.change(pod);
      const name = pod.metadata?.name ?? '';
      const { code, status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: pod }));
      assert.equal(code, 422);
      assert.equal(status.reason, 'Invalid');
      assert.equal(status.details?.kind, 'Pod');
      assert.equal(status.details?.name, name);
      const causes = (status.details?.causes ?? []).map((cause) => `${cause.field}: ${cause.message}`);
      assert.deepEqual(causes, testCase.causes);
      const summary = testCase.causes.length === 1 ? testCase.causes[0] : `[${testCase.causes.join(', ')}]`;
      assert.equal(status.message, `Pod ${JSON.stringify(name)} is invalid: ${summary}`);
    });
  }

  it('reports every invalid field of one pod', async () => {
    const pod = simplePod('many');
    pod.spec!.containers[0].image = '';
    pod.spec!.restartPolicy = 'Sometimes';
    const { status } = await failure(test.core.createNamespacedPod({ namespace: 'builds', body: pod }));
    assert.deepEqual(status.details?.causes?.map((cause) => cause.field), ['spec.containers[0].image', 'spec.restartPolicy']);
    assert.match(status.message, /^Pod "many" is invalid: \[spec\.containers\[0\]\.image: Required value, spec\.restartPolicy: Unsupported value/);
  });

  it('accepts a typical kaniko build pod', async () => {
    const pod = simplePod('kaniko');
    pod.spec = {
      ...pod.spec!,
      activeDeadlineSeconds: 3600,
      automountServiceAccountToken: false,
      volumes: [{ name: 'docker-config', secret: { secretName: 'registry', items: [{ key: 'config.json', path: 'config.json' }] } }],
      containers: [
        {
          name: 'kaniko',
          image: 'ghcr.io/osscontainertools/kaniko:v1.28.3',
          args: ['--context=https://acct.blob.core.windows.net/contexts/app.tar.gz', '--destination=myreg.azurecr.io/app:1'],
          env: [{ name: 'AZURE_STORAGE_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'storage', key: 'key' } } }],
          volumeMounts: [{ name: 'docker-config', mountPath: '/kaniko/.docker', readOnly: true }],
          resources: { requests: { cpu: '0.5', memory: '1Gi', 'ephemeral-storage': '2048Mi' }, limits: { memory: '2Gi', 'ephemeral-storage': '4Gi' } },
        },
      ],
    };
    const created = await test.core.createNamespacedPod({ namespace: 'builds', body: pod });
    assert.deepEqual(created.spec?.containers[0].resources?.requests, { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '2Gi' });
    assert.deepEqual(created.spec?.containers[0].resources?.limits, { memory: '2Gi', 'ephemeral-storage': '4Gi' });
    assert.equal(created.status?.qosClass, 'Burstable');
    assert.equal(created.spec?.volumes?.length, 1);
    assert.equal(created.spec?.volumes?.[0].secret?.defaultMode, 420);
  });
});
