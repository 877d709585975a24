// parseSettings with the namespace, executor image, resource and timeout inputs.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('settings: pod', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (inputs: Partial<RawInputs>) => parseSettings(rawRun(root(), { inputs })).pod;
  const problemsOf = (inputs: Partial<RawInputs>) => settingsProblems(rawRun(root(), { inputs }));

  for (const namespace of ['a', 'builds', 'team-1-builds', 'x'.repeat(63)]) {
    it(`namespace ${namespace.slice(0, 20)} is accepted`, () => {
      assert.equal(parse({ namespace }).namespace, namespace);
    });
  }

  for (const namespace of ['Builds', '-builds', 'builds-', 'x'.repeat(64), 'team.builds', 'team_builds']) {
    it(`namespace '${namespace.slice(0, 20)}' is rejected`, () => {
      const problems = problemsOf({ namespace });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input namespace: '${namespace}'`), problems[0]);
    });
  }

  const validImages = [
    'ghcr.io/osscontainertools/kaniko:v1.28.3',
    'martizih/kaniko',
    `ghcr.io/osscontainertools/kaniko@${DIGEST}`,
    `ghcr.io/osscontainertools/kaniko:v1.28.3@${DIGEST}`,
    'localhost:5000/kaniko:debug',
    'myregistry.azurecr.io/tools/kaniko-executor:1.28.3-debug',
  ];
  for (const image of validImages) {
    it(`executor image ${image.slice(0, 45)} is accepted`, () => {
      assert.equal(parse({ executorImage: image }).executorImage, image);
    });
  }

  const invalidImages = [
    '', 'Kaniko:latest', 'ghcr.io/x/kaniko:', 'ghcr.io/x/kaniko@sha256:abc', 'ghcr.io/x/kaniko:-tag',
    'ghcr.io/x/ka niko', 'ghcr.io//kaniko', `ghcr.io/x/kaniko@${DIGEST.toUpperCase()}`,
  ];
  for (const image of invalidImages) {
    it(`executor image '${image.slice(0, 30)}' is rejected`, () => {
      const problems = problemsOf({ executorImage: image });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input executorImage: '${image || '(empty)'}'`), problems[0]);
    });
  }

  const resourceCases = [
    {
      name: 'limits only',
      inputs: { cpuLimit: '2', memoryLimit: '4Gi' },
      expected: { requests: { cpu: undefined, memory: undefined }, limits: { cpu: '2', memory: '4Gi' } },
    },
    {
      name: 'requests below limits',
      inputs: { cpuRequest: '500m', cpuLimit: '1500m', memoryRequest: '512Mi', memoryLimit: '1G' },
      expected: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1500m', memory: '1G' } },
    },
    {
      name: 'requests equal to limits in other units',
      inputs: { cpuRequest: '1000m', cpuLimit: '1', memoryRequest: '1024Mi', memoryLimit: '1Gi' },
      expected: { requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    },
    {
      name: 'decimal and exponent forms',
      inputs: { cpuRequest: '0.25', cpuLimit: '.5', memoryRequest: '2e9', memoryLimit: '2.5Gi' },
      expected: { requests: { cpu: '0.25', memory: '2e9' }, limits: { cpu: '.5', memory: '2.5Gi' } },
    },
  ];
  for (const { name, inputs, expected } of resourceCases) {
    it(`resources accepted: ${name}`, () => {
      assert.deepEqual(parse(inputs).resources, expected);
    });
  }

  const invalidQuantities = [
    { input: 'cpuLimit', value: '' },
    { input: 'cpuLimit', value: '0' },
    { input: 'cpuLimit', value: '-1' },
    { input: 'cpuLimit', value: 'one' },
    { input: 'memoryLimit', value: '1gi' },
    { input: 'memoryLimit', value: '1 Gi' },
    { input: 'memoryLimit', value: '1.5.5Gi' },
    { input: 'memoryRequest', value: '0Mi' },
    { input: 'cpuRequest', value: 'lots' },
  ];
  for (const { input, value } of invalidQuantities) {
    it(`quantity ${input}='${value}' is rejected`, () => {
      const problems = problemsOf({ [input]: value });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input ${input}: '${value || '(empty)'}' is not a positive Kubernetes quantity`), problems[0]);
    });
  }

  const aboveLimit = [
    { request: 'cpuRequest', limitInput: 'cpuLimit', requestValue: '2', limitValue: '1' },
    { request: 'cpuRequest', limitInput: 'cpuLimit', requestValue: '1001m', limitValue: '1' },
    { request: 'memoryRequest', limitInput: 'memoryLimit', requestValue: '2Gi', limitValue: '2G' },
  ];
  for (const { request, limitInput, requestValue, limitValue } of aboveLimit) {
    it(`${request} ${requestValue} above ${limitValue} is rejected`, () => {
      const problems = problemsOf({ [request]: requestValue, [limitInput]: limitValue });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input ${request}: the request ${requestValue} is above ${limitInput} ${limitValue}`), problems[0]);
    });
  }

  for (const [value, seconds] of [['1', 60], ['30', 1800], ['1440', 86400]] as const) {
    it(`timeout ${value} minutes is accepted`, () => {
      assert.equal(parse({ buildTimeoutInMinutes: value }).timeoutSeconds, seconds);
    });
  }

  for (const value of ['', '0', '-5', '1441', '1.5', 'thirty', '30m']) {
    it(`timeout '${value}' is rejected`, () => {
      const problems = problemsOf({ buildTimeoutInMinutes: value });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input buildTimeoutInMinutes: '${value || '(empty)'}' is not a whole number of minutes from 1 to 1440`), problems[0]);
    });
  }
});

describe('settings: scheduling timeout and createNamespace', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (inputs: Partial<RawInputs>) => parseSettings(rawRun(root(), { inputs })).pod;
  const problemsOf = (inputs: Partial<RawInputs>) => settingsProblems(rawRun(root(), { inputs }));

  for (const [value, seconds] of [['', 300], ['5', 300], ['1', 60], ['1439', 86340]] as const) {
    it(`scheduling timeout '${value}' is ${seconds} s`, () => {
      assert.equal(parse({ schedulingTimeoutInMinutes: value, buildTimeoutInMinutes: '1440' }).schedulingTimeoutSeconds, seconds);
    });
  }

  it('scheduling timeout past the build timeout waits until it', () => {
    assert.equal(parse({ schedulingTimeoutInMinutes: '60', buildTimeoutInMinutes: '30' }).schedulingTimeoutSeconds, undefined);
  });

  it('scheduling timeout 0 waits until the build timeout', () => {
    assert.equal(parse({ schedulingTimeoutInMinutes: '0' }).schedulingTimeoutSeconds, undefined);
  });

  for (const value of ['-1', '1441', '2.5', 'five']) {
    it(`scheduling timeout '${value}' is rejected`, () => {
      const problems = problemsOf({ schedulingTimeoutInMinutes: value });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input schedulingTimeoutInMinutes: '${value}' is not a whole number of minutes from 0 to 1440`), problems[0]);
    });
  }

  it('createNamespace is off by default', () => {
    const pod = parse({});

    assert.equal(pod.createNamespace, undefined);
    assert.equal(pod.namespace, 'builds');
  });

  it('createNamespace takes the namespace as the prefix', () => {
    const pod = parse({ createNamespace: 'true', namespace: 'team-builds' });

    assert.equal(pod.createNamespace, true);
    assert.equal(pod.namespace, 'team-builds');
  });

  it('createNamespace prefix defaults to kaniko, not the connection namespace', () => {
    const run = rawRun(root(), { inputs: { createNamespace: 'True', namespace: '' } });
    run.kubernetesEndpoint!.data.namespace = 'from-connection';

    assert.equal(parseSettings(run).pod.namespace, 'kaniko');
  });

  it('createNamespace prefix must be a valid name', () => {
    const problems = problemsOf({ createNamespace: 'true', namespace: 'Team_Builds' });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.ok(problems[0].startsWith("Input namespace: 'Team_Builds'"), problems[0]);
  });

  it('createNamespace prefix may end with a dash', () => {
    assert.equal(parse({ createNamespace: 'true', namespace: 'kaniko-' }).namespace, 'kaniko-');
  });

  it('createNamespace prefix of 54 characters is accepted', () => {
    assert.equal(parse({ createNamespace: 'true', namespace: 'a'.repeat(54) }).namespace, 'a'.repeat(54));
  });

  it('createNamespace prefix of 55 characters is rejected', () => {
    const problems = problemsOf({ createNamespace: 'true', namespace: 'a'.repeat(55) });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /at most 54 lower-case letters/);
  });

  it('createNamespace with serviceAccount default is accepted', () => {
    assert.equal(parse({ createNamespace: 'true', serviceAccount: 'default' }).serviceAccount, undefined);
  });

  it('createNamespace with another serviceAccount is rejected', () => {
    const problems = problemsOf({ createNamespace: 'true', serviceAccount: 'kaniko-builder' });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.ok(problems[0].startsWith("Inputs createNamespace and serviceAccount: a namespace that the run creates has only the service account default, so the pod cannot run under 'kaniko-builder'"), problems[0]);
  });

  it('createNamespace with workload identity is rejected', () => {
    const run = rawRun(root(), {
      inputs: { createNamespace: 'true', registryCredentials: 'workloadIdentity', containerRegistry: '', serviceAccount: 'kaniko-builder', repository: 'myregistry.azurecr.io/team/web' },
      registryEndpoint: null,
    });
    const problems = settingsProblems(run);

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.ok(problems[0].startsWith('Inputs createNamespace and registryCredentials: workloadIdentity needs a service account'), problems[0]);
  });
});
