// parseSettings with the node selector, tolerations, ephemeral storage and pod template inputs.
import { strict as assert } from 'node:assert';
import { parseSettings } from '../../../tasks/KanikoBuildV1/src/settings/parse';
import type { RawInputs } from '../../../tasks/KanikoBuildV1/src/settings/raw';
import { rawRun, settingsProblems } from './support/raw-run';
import { useTempDir, writeTree } from './support/temp-dir';

describe('settings: pod placement', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (inputs: Partial<RawInputs>) => parseSettings(rawRun(root(), { inputs })).pod;
  const problemsOf = (inputs: Partial<RawInputs>) => settingsProblems(rawRun(root(), { inputs }));

  it('empty inputs add nothing', () => {
    const pod = parse({});

    assert.equal(pod.nodeSelector, undefined);
    assert.equal(pod.tolerations, undefined);
    assert.equal(pod.template, undefined);
    assert.equal(pod.resources.limits.ephemeralStorage, undefined);
  });

  it('node selector lines become a map', () => {
    const pod = parse({ nodeSelector: '# build nodes\nagentpool=builds\n\n kubernetes.io/os = linux \nempty=' });

    assert.deepEqual(pod.nodeSelector, { agentpool: 'builds', 'kubernetes.io/os': 'linux', empty: '' });
  });

  const badSelectors: [string, string][] = [
    ['agentpool', 'no equals sign'],
    ['=builds', 'empty key'],
    ['pool=a b', 'space in value'],
    [`pool=${'x'.repeat(64)}`, 'value of 64 characters'],
    ['Example.com/pool=builds', 'upper-case prefix'],
    ['pool-=builds', 'key ending in a dash'],
  ];
  for (const [line, reason] of badSelectors) {
    it(`node selector with ${reason} is rejected`, () => {
      const problems = problemsOf({ nodeSelector: `agentpool=builds\n${line}` });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input nodeSelector, line 2: '${line}'`), problems[0]);
      assert.match(problems[0], /Example: agentpool=builds/);
    });
  }

  it('node selector key with two values is rejected', () => {
    const problems = problemsOf({ nodeSelector: 'agentpool=builds\nagentpool=system' });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /names the label agentpool twice, with 'builds' and 'system'/);
  });

  const tolerations: [string, object][] = [
    ['dedicated', { key: 'dedicated', operator: 'Exists' }],
    ['dedicated=builds', { key: 'dedicated', operator: 'Equal', value: 'builds' }],
    ['dedicated:NoSchedule', { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
    ['kubernetes.azure.com/scalesetpriority=spot:NoSchedule',
      { key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }],
    ['gpu = true : NoExecute', { key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoExecute' }],
    ['slow:PreferNoSchedule', { key: 'slow', operator: 'Exists', effect: 'PreferNoSchedule' }],
  ];
  for (const [line, expected] of tolerations) {
    it(`toleration ${line} is parsed`, () => {
      assert.deepEqual(parse({ tolerations: line }).tolerations, [expected]);
    });
  }

  for (const line of ['dedicated:NoSchedul', ':NoSchedule', 'a b=c', 'dedicated=builds:', `key=${'v'.repeat(64)}`]) {
    it(`toleration '${line}' is rejected`, () => {
      const problems = problemsOf({ tolerations: `# spot\n${line}` });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith(`Input tolerations, line 2: '${line}' is not a toleration.`), problems[0]);
    });
  }

  it('ephemeral storage request and limit are kept', () => {
    const { resources } = parse({ ephemeralStorageRequest: '10Gi', ephemeralStorageLimit: '20Gi' });

    assert.equal(resources.requests.ephemeralStorage, '10Gi');
    assert.equal(resources.limits.ephemeralStorage, '20Gi');
  });

  it('ephemeral storage request without a limit is kept', () => {
    const { resources } = parse({ ephemeralStorageRequest: '5G' });

    assert.equal(resources.requests.ephemeralStorage, '5G');
    assert.equal(resources.limits.ephemeralStorage, undefined);
  });

  it('ephemeral storage request above the limit is rejected', () => {
    const problems = problemsOf({ ephemeralStorageRequest: '30Gi', ephemeralStorageLimit: '20Gi' });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input ephemeralStorageRequest: the request 30Gi is above ephemeralStorageLimit 20Gi\./);
  });

  for (const [input, value] of [['ephemeralStorageLimit', '20 GB'], ['ephemeralStorageRequest', '-1Gi'], ['ephemeralStorageLimit', '0']]) {
    it(`${input} '${value}' is rejected`, () => {
      const problems = problemsOf({ [input]: value });

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.equal(problems[0], `Input ${input}: '${value}' is not a positive Kubernetes quantity. Enter a value such as 10Gi, 20G.`);
    });
  }
});

describe('settings: pod template', () => {
  const root = useTempDir();
  beforeEach(() => writeTree(root(), { Dockerfile: 'FROM alpine\n' }));
  const parse = (podTemplate: string, inputs: Partial<RawInputs> = {}) =>
    parseSettings(rawRun(root(), { inputs: { podTemplate, ...inputs } })).pod.template;
  const problemsOf = (podTemplate: string, inputs: Partial<RawInputs> = {}) =>
    settingsProblems(rawRun(root(), { inputs: { podTemplate, ...inputs } }));

  it('whole pod with metadata, spec and kaniko container', () => {
    const template = parse([
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  labels: { team: web }',
      '  annotations: { cluster-autoscaler.kubernetes.io/safe-to-evict: "false" }',
      'spec:',
      '  priorityClassName: builds',
      '  tolerations: [{ key: dedicated, operator: Exists }]',
      '  containers:',
      '    - name: kaniko',
      '      securityContext: { runAsUser: 0 }',
      '      env: [{ name: GODEBUG, value: "http2client=0" }]',
      '      resources: { limits: { nvidia.com/gpu: "1" } }',
    ].join('\n'));

    assert.deepEqual(template, {
      labels: { team: 'web' },
      annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
      spec: { priorityClassName: 'builds', tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
      kaniko: {
        securityContext: { runAsUser: 0 },
        env: [{ name: 'GODEBUG', value: 'http2client=0' }],
        resources: { limits: { 'nvidia.com/gpu': '1' } },
      },
    });
  });

  it('spec alone is enough', () => {
    assert.deepEqual(parse('spec:\n  affinity: {}\n'), { spec: { affinity: {} } });
  });

  const rejected: [string, string, RegExp][] = [
    ['restart policy', 'spec:\n  restartPolicy: Always', /sets spec\.restartPolicy, which the task sets itself\. Remove it/],
    ['deadline', 'spec:\n  activeDeadlineSeconds: 60', /spec\.activeDeadlineSeconds.*Use the input buildTimeoutInMinutes/],
    ['service account', 'spec:\n  serviceAccountName: builder', /spec\.serviceAccountName.*Use the input serviceAccount/],
    ['init container', 'spec:\n  initContainers: []', /spec\.initContainers, which the task sets itself/],
    ['pod name', 'metadata:\n  name: mine', /metadata\.name.*only add labels and annotations/],
    ['status', 'status: {}', /sets status, which the task sets itself/],
    ['task label', 'metadata:\n  labels: { kaniko-build-on-aks/run: x }', /metadata\.labels\.kaniko-build-on-aks\/run/],
    ['managed-by label', 'metadata:\n  labels: { app.kubernetes.io/managed-by: me }', /metadata\.labels\.app\.kubernetes\.io\/managed-by/],
    ['workload identity label', 'metadata:\n  labels: { azure.workload.identity/use: "true" }', /azure\.workload\.identity\/use/],
    ['sidecar', 'spec:\n  containers: [{ name: kaniko }, { name: proxy }]', /spec\.containers.*only shape the kaniko container/],
    ['other container name', 'spec:\n  containers: [{ name: builder }]', /spec\.containers\[0\]\.name builder/],
    ['image', 'spec:\n  containers: [{ image: busybox }]', /spec\.containers\[0\]\.image.*Use the input executorImage/],
    ['args', 'spec:\n  containers: [{ args: [--cache] }]', /spec\.containers\[0\]\.args/],
    ['cpu limit', 'spec:\n  containers: [{ resources: { limits: { cpu: "2" } } }]', /resources\.limits\.cpu.*Use the input cpuLimit/],
    ['storage request', 'spec:\n  containers: [{ resources: { requests: { ephemeral-storage: 1Gi } } }]',
      /resources\.requests\.ephemeral-storage.*Use the input ephemeralStorageRequest/],
    ['storage key variable', 'spec:\n  containers: [{ env: [{ name: AZURE_STORAGE_ACCESS_KEY, value: x }] }]', /env AZURE_STORAGE_ACCESS_KEY/],
    ['docker config mount', 'spec:\n  containers: [{ volumeMounts: [{ name: v, mountPath: /kaniko/.docker/ }] }]', /volumeMounts \/kaniko\/\.docker\//],
    ['workspace volume', 'spec:\n  volumes: [{ name: workspace, emptyDir: {} }]', /spec\.volumes\[0\] workspace.*Choose another volume name/],
  ];
  for (const [name, text, expected] of rejected) {
    it(`template with ${name} is rejected`, () => {
      const problems = problemsOf(text);

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0].startsWith('Input podTemplate'), problems[0]);
      assert.match(problems[0], expected);
    });
  }

  const wrongTypes: [string, string, RegExp][] = [
    ['a list at the top', '- a', /the whole template must be a mapping, not a list\. Start the template with spec: or metadata:/],
    ['a string spec', 'spec: x', /spec must be a mapping, not a string 'x'\. Write its fields as KEY: VALUE lines/],
    ['tolerations as a map', 'spec:\n  tolerations: { key: a }', /spec\.tolerations must be a list, not a mapping\. Write each entry/],
    ['a number label', 'metadata:\n  labels: { tier: 1 }', /metadata\.labels\.tier must be a string, not number '1'\. Quote the value/],
    ['a bad label value', 'metadata:\n  labels: { tier: "a b" }', /metadata\.labels\.tier has the invalid value 'a b'/],
    ['another kind', 'kind: Deployment', /kind must be 'Pod', not a string 'Deployment'\. Remove it/],
    ['a non-root pod', 'spec:\n  securityContext: { runAsNonRoot: true }', /sets spec\.securityContext\.runAsNonRoot: true, but kaniko must run as root/],
    ['a non-root kaniko user', 'spec:\n  containers: [{ securityContext: { runAsUser: 1000 } }]',
      /sets spec\.containers\[0\]\.securityContext\.runAsUser: 1000, but kaniko must run as root/],
  ];
  for (const [name, text, expected] of wrongTypes) {
    it(`template with ${name} is rejected`, () => {
      const problems = problemsOf(text);

      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], expected);
    });
  }

  it('invalid YAML names the parser error', () => {
    const problems = problemsOf('spec:\n  affinity: {\n');

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input podTemplate is not valid YAML: .+\. Enter a partial Pod/);
  });

  it('template node selector that disagrees with the input is rejected', () => {
    const problems = problemsOf('spec:\n  nodeSelector: { agentpool: system }', { nodeSelector: 'agentpool=builds' });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^The label agentpool has the value 'builds' in the input nodeSelector and 'system' in the spec\.nodeSelector of the input podTemplate\./);
  });

  it('root user in the template is accepted', () => {
    assert.deepEqual(parse('spec:\n  securityContext: { runAsUser: 0, runAsNonRoot: false }'), { spec: { securityContext: { runAsUser: 0, runAsNonRoot: false } } });
  });

  it('template variable of a secret build argument is rejected', () => {
    const template = 'spec:\n  containers: [{ env: [{ name: NPM_TOKEN, value: plain }, { name: OTHER, value: x }] }]';
    const problems = problemsOf(template, { secretBuildArguments: 'NPM_TOKEN=token-value-1234' });

    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^Input podTemplate sets spec\.containers\[0\]\.env NPM_TOKEN, which the task sets itself\. The input secretBuildArguments sets this variable/);
  });

  it('every wrong field is listed at once', () => {
    const problems = problemsOf('spec:\n  restartPolicy: Always\n  activeDeadlineSeconds: 1\n  tolerations: x');

    assert.equal(problems.length, 3, problems.join('\n'));
  });
});
