// The kaniko Pod the plan creates: spec, arguments, environment, volume and resources.
import { strict as assert } from 'node:assert';
import type { V1Container } from '@kubernetes/client-node';
import { buildPlan, type BuildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import { KANIKO_CONTAINER } from '../../../tasks/KanikoBuildV1/src/plan/pod';
import { sampleSettings, type SettingsChanges } from './support/settings';

// kaniko reads an https context through the Azure SDK only when the URL matches this
// (kaniko pkg/buildcontext, also for the sovereign cloud suffixes).
const KANIKO_AZURE_BLOB_URL = /^https:\/\/(.+?)\.blob\.core\.windows\.net\/(.+)$/;

function planFor(changes: SettingsChanges = {}): BuildPlan {
  return buildPlan(sampleSettings(changes), 'abcd1234');
}

function kanikoContainer(plan: BuildPlan): V1Container {
  const containers = plan.pod.spec?.containers ?? [];
  assert.equal(containers.length, 1);
  assert.equal(containers[0].name, KANIKO_CONTAINER);
  return containers[0];
}

describe('plan: pod', () => {
  it('pod runs once with a deadline', () => {
    const plan = planFor({ pod: { timeoutSeconds: 600 } });

    assert.equal(plan.pod.apiVersion, 'v1');
    assert.equal(plan.pod.kind, 'Pod');
    assert.equal(plan.pod.metadata?.namespace, 'builds');
    assert.equal(plan.namespace, 'builds');
    assert.equal(plan.pod.spec?.restartPolicy, 'Never');
    assert.equal(plan.pod.spec?.activeDeadlineSeconds, 600);
    assert.equal(plan.pod.spec?.automountServiceAccountToken, false);
    assert.equal(kanikoContainer(plan).image, 'ghcr.io/osscontainertools/kaniko:v1.28.3');
  });

  it('context URL is the blob kaniko reads', () => {
    const plan = planFor();

    assert.equal(plan.contextUrl, 'https://kanikostorage.blob.core.windows.net/kaniko-contexts/kaniko-1234-abcd1234.tar.gz');
    assert.match(plan.contextUrl, KANIKO_AZURE_BLOB_URL);
  });

  it('arguments without build arguments or target', () => {
    const plan = planFor({ tags: ['42', 'latest'] });

    assert.deepEqual(kanikoContainer(plan).args, [
      `--context=${plan.contextUrl}`,
      '--dockerfile=docker/Dockerfile',
      '--destination=myregistry.azurecr.io/team/web:42',
      '--destination=myregistry.azurecr.io/team/web:latest',
      '--digest-file=/dev/termination-log',
      '--log-format=text',
    ]);
    assert.deepEqual(plan.destinations, ['myregistry.azurecr.io/team/web:42', 'myregistry.azurecr.io/team/web:latest']);
  });

  it('arguments with build arguments and target', () => {
    const plan = planFor({
      tags: ['1.0'],
      build: {
        buildArguments: [{ name: 'VERSION', value: '1.0' }, { name: 'OPTS', value: 'a=b c' }, { name: 'EMPTY', value: '' }],
        target: 'runtime',
      },
    });
    const args = kanikoContainer(plan).args ?? [];

    assert.deepEqual(args.filter((arg) => arg.startsWith('--build-arg')), [
      '--build-arg=VERSION=1.0', '--build-arg=OPTS=a=b c', '--build-arg=EMPTY=',
    ]);
    assert.deepEqual(args.filter((arg) => arg.startsWith('--target')), ['--target=runtime']);
    assert.deepEqual(args.filter((arg) => arg.startsWith('--destination')), ['--destination=myregistry.azurecr.io/team/web:1.0']);
    assert.ok(args.includes('--digest-file=/dev/termination-log'));
    assert.ok(args.includes('--log-format=text'));
  });

  // kaniko's arguments for each option of the kaniko settings, after the arguments of a build without options.
  const optionCases: { name: string; changes: SettingsChanges; expected: string[] }[] = [
    {
      name: 'cache with the default lifetime',
      changes: { kaniko: { cache: { repository: 'myregistry.azurecr.io/team/web/cache' } } },
      expected: ['--cache', '--cache-repo=myregistry.azurecr.io/team/web/cache'],
    },
    {
      name: 'cache with a lifetime',
      changes: { kaniko: { cache: { repository: 'myregistry.azurecr.io/shared/cache', ttl: '168h' } } },
      expected: ['--cache', '--cache-repo=myregistry.azurecr.io/shared/cache', '--cache-ttl=168h'],
    },
    {
      name: 'labels in order',
      changes: {
        kaniko: {
          labels: [
            { key: 'org.opencontainers.image.source', value: 'https://dev.azure.example.test/fabrikam/_git/web' },
            { key: 'team', value: 'web platform=blue' },
            { key: 'empty', value: '' },
          ],
        },
      },
      expected: [
        '--label=org.opencontainers.image.source=https://dev.azure.example.test/fabrikam/_git/web',
        '--label=team=web platform=blue',
        '--label=empty=',
      ],
    },
    { name: 'skip unused stages', changes: { kaniko: { skipUnusedStages: true } }, expected: ['--skip-unused-stages'] },
    { name: 'push retries', changes: { kaniko: { pushRetry: 3 } }, expected: ['--push-retry=3'] },
    { name: 'no push retries', changes: { kaniko: { pushRetry: 0 } }, expected: [] },
    {
      name: 'registry mirrors',
      changes: { kaniko: { registryMirrors: ['mirror.gcr.io', 'myregistry.azurecr.io/dockerhub'] } },
      expected: ['--registry-mirror=mirror.gcr.io', '--registry-mirror=myregistry.azurecr.io/dockerhub'],
    },
    {
      name: 'insecure registries',
      changes: { kaniko: { insecureRegistries: ['registry.internal:5000', 'cache.internal'] } },
      expected: ['--insecure-registry=registry.internal:5000', '--insecure-registry=cache.internal'],
    },
    { name: 'no push', changes: { kaniko: { noPush: true } }, expected: ['--no-push'] },
    {
      name: 'no push reads the cache only',
      changes: { kaniko: { noPush: true, cache: { repository: 'myregistry.azurecr.io/team/web/cache' } } },
      expected: ['--no-push', '--no-push-cache', '--cache', '--cache-repo=myregistry.azurecr.io/team/web/cache'],
    },
    {
      name: 'extra arguments come last',
      changes: { kaniko: { pushRetry: 2, extraArgs: ['--snapshot-mode=redo', '--compressed-caching=false', '--single-snapshot'] } },
      expected: ['--push-retry=2', '--snapshot-mode=redo', '--compressed-caching=false', '--single-snapshot'],
    },
    {
      name: 'secret build arguments without values',
      changes: { build: { secretBuildArguments: [{ name: 'NPM_TOKEN', value: 'npm-token-value-0007' }, { name: 'PIP_INDEX_URL', value: 'https://u:p@x' }] } },
      expected: ['--build-arg=NPM_TOKEN', '--build-arg=PIP_INDEX_URL'],
    },
  ];
  const baseArguments = kanikoContainer(planFor()).args ?? [];
  for (const { name, changes, expected } of optionCases) {
    it(`arguments: ${name}`, () => {
      const args = kanikoContainer(planFor(changes)).args ?? [];

      assert.deepEqual(args.filter((arg) => !baseArguments.includes(arg)), expected);
      assert.deepEqual(args.filter((arg) => baseArguments.includes(arg)), baseArguments, 'the base arguments changed');
    });
  }

  it('secret build arguments come after plain ones', () => {
    const args = kanikoContainer(planFor({
      build: { buildArguments: [{ name: 'VERSION', value: '1.0' }], secretBuildArguments: [{ name: 'TOKEN', value: 'token-value-0008' }] },
    })).args ?? [];

    assert.deepEqual(args.filter((arg) => arg.startsWith('--build-arg')), ['--build-arg=VERSION=1.0', '--build-arg=TOKEN']);
  });

  it('secret build arguments come from their Secret', () => {
    const plan = planFor({
      build: { secretBuildArguments: [{ name: 'NPM_TOKEN', value: 'npm-token-value-0007' }, { name: 'GH_TOKEN', value: 'gh-token-value-0009' }] },
    });
    const env = kanikoContainer(plan).env ?? [];
    const secretName = plan.buildArgumentsSecret?.metadata?.name;

    assert.equal(secretName, `${plan.name}-build-args`);
    assert.deepEqual(env.filter((variable) => variable.name !== 'AZURE_STORAGE_ACCESS_KEY'), [
      { name: 'NPM_TOKEN', valueFrom: { secretKeyRef: { name: secretName, key: 'NPM_TOKEN' } } },
      { name: 'GH_TOKEN', valueFrom: { secretKeyRef: { name: secretName, key: 'GH_TOKEN' } } },
    ]);
  });

  it('secret build argument values stay out of the pod', () => {
    const plan = planFor({ build: { secretBuildArguments: [{ name: 'NPM_TOKEN', value: 'npm-token-value-0007' }] } });
    const podText = JSON.stringify(plan.pod);

    assert.ok(!podText.includes('npm-token-value-0007'), podText);
    assert.ok(!podText.includes(Buffer.from('npm-token-value-0007').toString('base64')), podText);
  });

  it('no build arguments Secret without secret arguments', () => {
    const plan = planFor();

    assert.equal(plan.buildArgumentsSecret, undefined);
    assert.ok(!(kanikoContainer(plan).env ?? []).some((variable) => variable.valueFrom?.secretKeyRef?.name?.endsWith('-build-args')));
  });

  it('no target argument when target unset', () => {
    const args = kanikoContainer(planFor({ build: { target: undefined } })).args ?? [];

    assert.ok(!args.some((arg) => arg.startsWith('--target')), args.join(' '));
  });

  it('termination message comes from the digest file', () => {
    const container = kanikoContainer(planFor());

    assert.equal(container.terminationMessagePath, '/dev/termination-log');
    assert.equal(container.terminationMessagePolicy, 'File');
  });

  it('storage key comes from its Secret', () => {
    const plan = planFor();
    const env = kanikoContainer(plan).env ?? [];

    assert.equal(env.length, 1);
    assert.equal(env[0].name, 'AZURE_STORAGE_ACCESS_KEY');
    assert.equal(env[0].value, undefined);
    assert.deepEqual(env[0].valueFrom?.secretKeyRef, { name: plan.storageSecret!.metadata?.name, key: 'AZURE_STORAGE_ACCESS_KEY' });
    assert.ok(plan.storageSecret!.data?.AZURE_STORAGE_ACCESS_KEY, 'the Secret has no such key');
  });

  it('config.json is mounted from its Secret', () => {
    const plan = planFor();
    const container = kanikoContainer(plan);
    const volumes = plan.pod.spec?.volumes ?? [];

    assert.equal(volumes.length, 1);
    assert.deepEqual(volumes[0].secret, {
      secretName: plan.registrySecret.metadata?.name,
      items: [{ key: 'config.json', path: 'config.json' }],
    });
    assert.deepEqual(container.volumeMounts, [{ name: volumes[0].name, mountPath: '/kaniko/.docker', readOnly: true }]);
    assert.ok(plan.registrySecret.data?.['config.json'], 'the Secret has no config.json');
  });

  const resourceCases = [
    {
      name: 'requests default to limits',
      resources: { requests: {}, limits: { cpu: '2', memory: '4Gi' } },
      expected: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    },
    {
      name: 'requests kept when set',
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      expected: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    },
    {
      name: 'one request set',
      resources: { requests: { memory: '3Gi' }, limits: { cpu: '1', memory: '4Gi' } },
      expected: { requests: { cpu: '1', memory: '3Gi' }, limits: { cpu: '1', memory: '4Gi' } },
    },
  ];
  for (const { name, resources, expected } of resourceCases) {
    it(`resources: ${name}`, () => {
      assert.deepEqual(kanikoContainer(planFor({ pod: { resources } })).resources, expected);
    });
  }

  it('annotations describe the run', () => {
    const annotations = planFor().pod.metadata?.annotations ?? {};

    assert.equal(annotations['kaniko-build-on-aks/project'], 'Fabrikam Web');
    assert.equal(annotations['kaniko-build-on-aks/pipeline'], 'web-ci');
    assert.equal(annotations['kaniko-build-on-aks/repository'], 'myregistry.azurecr.io/team/web');
    assert.match(annotations['kaniko-build-on-aks/build-url'] ?? '', /buildId=1234$/);
  });
});
