// Names and labels of what a run creates: valid for Kubernetes whatever the build id looks like.
import { strict as assert } from 'node:assert';
import { labelValue, RUN_LABEL, runName } from '../../../tasks/KanikoBuildV1/src/plan/names';
import { buildPlan } from '../../../tasks/KanikoBuildV1/src/plan/plan';
import { sampleSettings } from './support/settings';

// Syntax rules from the Kubernetes documentation "Object Names and IDs" and "Labels and Selectors".
const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const MAX_LABEL_LENGTH = 63;

const ODD_BUILD_IDS = [
  '1234', '', '0', 'ABC_def.1', '---', '日本語', 'a'.repeat(100), '12345678901234567890-x', '1234567890123456789-x',
  '$(Build.BuildId)', ' 12 34 ', '-leading', 'trailing-', '..', '_', 'x'.repeat(19) + '.' + 'y', 'Ünïcödé-42',
];
const SUFFIXES = ['abcd1234', '00000000', 'ffffffff'];

/** Returns `count` strings of printable and odd characters from a fixed seed, so failures repeat. */
function generatedTexts(count: number): string[] {
  const alphabet = 'aZ09-_. /:@#ÄéΩ語\t';
  let seed = 42;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  return Array.from({ length: count }, () => {
    const length = next() % 90;
    return Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
  });
}

function assertDns1123Label(name: string): void {
  assert.ok(name.length <= MAX_LABEL_LENGTH, `${name} is longer than ${MAX_LABEL_LENGTH} characters`);
  assert.match(name, DNS1123_LABEL);
}

function assertLabelValue(value: string): void {
  assert.ok(value.length <= MAX_LABEL_LENGTH, `${value} is longer than ${MAX_LABEL_LENGTH} characters`);
  assert.match(value, LABEL_VALUE);
}

describe('plan: names', () => {
  for (const buildId of ODD_BUILD_IDS) {
    it(`run name valid for build id '${buildId.slice(0, 20)}'`, () => {
      for (const suffix of SUFFIXES) {
        const name = runName(buildId, suffix);

        assertDns1123Label(name);
        assert.ok(name.length <= 36, `${name} is longer than 36 characters`);
        assert.ok(name.startsWith('kaniko-'), name);
        assert.ok(name.endsWith(`-${suffix}`), name);
      }
    });
  }

  it('run name keeps a plain build id', () => {
    assert.equal(runName('1234', 'abcd1234'), 'kaniko-1234-abcd1234');
    assert.equal(runName('ABC_def.1', 'abcd1234'), 'kaniko-abc-def-1-abcd1234');
    assert.equal(runName('', 'abcd1234'), 'kaniko-abcd1234');
  });

  it('run names differ by suffix', () => {
    for (const buildId of ODD_BUILD_IDS) {
      const names = new Set(SUFFIXES.map((suffix) => runName(buildId, suffix)));

      assert.equal(names.size, SUFFIXES.length, `names for '${buildId}' collide`);
    }
  });

  it('derived Secret names are valid labels', () => {
    for (const buildId of ODD_BUILD_IDS) {
      const plan = buildPlan(sampleSettings({ buildId }), 'abcd1234');
      const names = [plan.name, plan.registrySecret.metadata?.name, plan.storageSecret!.metadata?.name, plan.pod.metadata?.name];

      for (const name of names) assertDns1123Label(name ?? '');
      assert.equal(plan.registrySecret.metadata?.name, `${plan.name}-registry`);
      assert.equal(plan.storageSecret!.metadata?.name, `${plan.name}-storage`);
      assert.equal(plan.pod.metadata?.name, plan.name);
      assert.equal(new Set(names).size, 3, `names for '${buildId}' collide`);
    }
  });

  it('blob name is the run name', () => {
    const plan = buildPlan(sampleSettings(), 'abcd1234');

    assert.equal(plan.blobName, 'kaniko-1234-abcd1234.tar.gz');
  });
});

describe('plan: labels', () => {
  for (const text of ODD_BUILD_IDS) {
    it(`label value valid for '${text.slice(0, 20)}'`, () => {
      assertLabelValue(labelValue(text));
    });
  }

  it('label value valid for generated texts', () => {
    for (const text of generatedTexts(500)) assertLabelValue(labelValue(text));
  });

  it('label value keeps valid text', () => {
    assert.equal(labelValue('12f1170f-54f2-53f3-20dd-22fc7dff55f9'), '12f1170f-54f2-53f3-20dd-22fc7dff55f9');
    assert.equal(labelValue('Build_1.2'), 'Build_1.2');
    assert.equal(labelValue('a'.repeat(70)), 'a'.repeat(63));
  });

  for (const buildId of ODD_BUILD_IDS) {
    it(`plan labels valid for build id '${buildId.slice(0, 20)}'`, () => {
      const plan = buildPlan(sampleSettings({ buildId, jobId: buildId }), 'abcd1234');

      for (const [key, value] of Object.entries(plan.labels)) {
        const [prefix, name] = key.includes('/') ? key.split('/') : ['', key];
        if (prefix) assert.match(prefix, /^[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/);
        assert.ok(name.length <= MAX_LABEL_LENGTH, key);
        assert.match(name, LABEL_NAME);
        assert.notEqual(value, '', `label ${key} is empty`);
        assertLabelValue(value);
      }
      assert.equal(plan.labels[RUN_LABEL], plan.name);
    });
  }

  it('same labels on pod and Secrets', () => {
    const plan = buildPlan(sampleSettings(), 'abcd1234');

    assert.deepEqual(plan.pod.metadata?.labels, plan.labels);
    assert.deepEqual(plan.registrySecret.metadata?.labels, plan.labels);
    assert.deepEqual(plan.storageSecret!.metadata?.labels, plan.labels);
    assert.equal(plan.labels['kaniko-build-on-aks/build-id'], '1234');
    assert.equal(plan.labels['kaniko-build-on-aks/job-id'], '12f1170f-54f2-53f3-20dd-22fc7dff55f9');
  });
});
