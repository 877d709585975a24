// Checks every YAML example of KanikoBuild@1 in the docs (README.md, overview.md, docs/ and
// samples/) and the sample pipeline against task.json. The second part checks that the checker
// reports broken examples.
import { strict as assert } from 'node:assert';
import { readTaskJson, repositoryRoot } from './task-json/task-json';
import { TASK_RULES } from './task-json/step-checks';
import { checkExample, findYamlExamples, markdownExamples, type YamlExample } from './task-json/yaml-examples';

const task = readTaskJson();

/** Returns the problems of an inline example that has one step with the given inputs, in YAML. */
function checkInputs(inputsYaml: string, taskReference = 'KanikoBuild@1'): string[] {
  const indented = inputsYaml.trim().split('\n').map((line) => `      ${line}`).join('\n');
  const example: YamlExample = { where: 'inline', text: `steps:\n  - task: ${taskReference}\n    inputs:\n${indented}\n` };
  return checkExample(task, example);
}

/** Inputs of a complete step with a Kubernetes service connection and a storage key. */
const VALID_INPUTS = `
kubernetesServiceConnection: aks-build-cluster
containerRegistry: build-registry
repository: team/web
storageAccount: kanikocontexts
storageAccessKey: $(CONTEXT_STORAGE_KEY)
`;

function assertReported(problems: string[], expected: RegExp): void {
  assert.ok(problems.some((problem) => expected.test(problem)), `expected a problem matching ${expected}, got: ${JSON.stringify(problems)}`);
}

describe('YAML examples of KanikoBuild@1', () => {
  const examples = findYamlExamples(repositoryRoot, task.name);

  it('are found in the docs and the sample pipeline', () => {
    const files = new Set(examples.map((example) => example.where.replace(/:\d+$/, '')));
    for (const file of ['overview.md', 'docs/connections.md', 'samples/flask-app/azure-pipelines/aks-build.yml']) {
      assert.ok(files.has(file), `no KanikoBuild@1 example found in ${file}`);
    }
  });

  it('match task.json', () => {
    assert.deepEqual(examples.flatMap((example) => checkExample(task, example)), []);
  });
});

describe('YAML example checks', () => {
  it('accept a complete step', () => {
    assert.deepEqual(checkInputs(VALID_INPUTS), []);
  });

  it('accept aliases and variables', () => {
    const inputs = `
kubernetesConnection: aks-build-cluster
registryConnection: build-registry
repository: team/web
storageAccount: $(storageAccount)
storageAccessKey: $(CONTEXT_STORAGE_KEY)
contextDelivery: $(delivery)
buildTimeout: \${{ parameters.buildTimeout }}
createNamespace: $[ variables.isolated ]
`;
    assert.deepEqual(checkInputs(inputs), []);
  });

  it('report an unknown input', () => {
    assertReported(checkInputs(`${VALID_INPUTS}\nbuildArgument: APP_VERSION=1`), /input buildArgument is neither an input name nor an alias/);
  });

  it('report an input given twice', () => {
    assertReported(checkInputs(`${VALID_INPUTS}\nbuildTimeout: 20\nbuildTimeoutInMinutes: 30`), /input buildTimeoutInMinutes is given twice, as buildTimeout and as buildTimeoutInMinutes/);
  });

  it('report a boolean that is not true or false', () => {
    assertReported(checkInputs(`${VALID_INPUTS}\ncreateNamespace: yes please`), /input createNamespace is boolean, but its value is "yes please"/);
  });

  it('report an int that is not a whole number', () => {
    assertReported(checkInputs(`${VALID_INPUTS}\nbuildTimeoutInMinutes: 20m`), /input buildTimeoutInMinutes takes a whole number, but its value is "20m"/);
  });

  it('report a pickList value outside its options', () => {
    assertReported(checkInputs(`${VALID_INPUTS}\ncontextDelivery: sas`), /input contextDelivery is "sas", which is not one of its values: sasDownload, accountKey, direct/);
  });

  it('report a list as a value', () => {
    assertReported(checkInputs(`${VALID_INPUTS}\ntags:\n  - latest`), /input tags has a list as its value/);
  });

  it('report a missing required input', () => {
    assertReported(checkInputs(VALID_INPUTS.replace('repository: team/web\n', '')), /required input repository is missing/);
  });

  it('report a required input that the chosen options show', () => {
    const inputs = VALID_INPUTS.replace('kubernetesServiceConnection: aks-build-cluster', 'connectionType: azureResourceManager\nazureSubscription: build-subscription\nresourceGroup: rg-builds');
    const problems = checkInputs(inputs);
    assertReported(problems, /required input kubernetesCluster is missing \(it is shown because connectionType = azureResourceManager\)/);
    assert.ok(!problems.some((problem) => /kubernetesServiceConnection/.test(problem)), `unexpected: ${JSON.stringify(problems)}`);
  });

  it('skip required inputs that the options hide', () => {
    const inputs = 'kubernetesServiceConnection: aks-build-cluster\ncontainerRegistry: build-registry\nrepository: team/web\ncontextDelivery: direct';
    assert.deepEqual(checkInputs(inputs), []);
  });

  it('report an input that the options hide', () => {
    const inputs = `${VALID_INPUTS}\nregistryCredentials: workloadIdentity\nserviceAccount: kaniko-builder`;
    assertReported(checkInputs(inputs), /input containerRegistry is set, but its visibleRule "registryCredentials = serviceConnection" hides it/);
  });

  it('report a storage key written into the YAML', () => {
    const inputs = VALID_INPUTS.replace('$(CONTEXT_STORAGE_KEY)', 'c2VjcmV0LWtleQ==');
    assertReported(checkInputs(inputs), /input storageAccessKey is a secret written into the YAML; take it from a secret variable/);
  });

  it('report another version of the task', () => {
    assertReported(checkInputs(VALID_INPUTS, 'KanikoBuild@2'), /task KanikoBuild@2 is not KanikoBuild@1/);
  });

  it('report YAML that does not parse', () => {
    assertReported(checkExample(task, { where: 'inline', text: 'steps:\n  - task: KanikoBuild@1\n   inputs: [' }), /the YAML does not parse/);
  });

  it('find yaml blocks with their lines', () => {
    const markdown = [
      '# Example', '', '```yaml', '- task: KanikoBuild@1', '  inputs:', '    repositry: team/web', '```',
      '', '```sh', 'echo KanikoBuild@1', '```', '', '```yaml', '- bash: echo hello', '```',
    ].join('\n');
    const examples = markdownExamples(markdown, 'guide.md', 'KanikoBuild');
    assert.deepEqual(examples.map((example) => example.where), ['guide.md:4']);
    assertReported(checkExample(task, examples[0]), /^guide.md:4: input repositry is neither an input name nor an alias/);
  });
});

describe('YAML example task rules', () => {
  it('name messages that task.json declares', () => {
    for (const rule of TASK_RULES) assert.ok(rule.message in (task.messages ?? {}), `task.json has no message ${rule.message}`);
  });

  it('report a step without storage credentials', () => {
    assertReported(checkInputs(VALID_INPUTS.replace('storageAccessKey: $(CONTEXT_STORAGE_KEY)\n', '')), /the task would reject these inputs: Inputs storageAccessKey and storageConnection: both are empty/);
  });

  it('report a step with both storage credentials', () => {
    assertReported(checkInputs(`${VALID_INPUTS}\nstorageConnection: storage-arm`), /Inputs storageAccessKey and storageConnection: both are set/);
  });

  it('report accountKey delivery with a storage connection', () => {
    const inputs = VALID_INPUTS.replace('storageAccessKey: $(CONTEXT_STORAGE_KEY)', 'storageConnection: storage-arm\ncontextDelivery: accountKey');
    assertReported(checkInputs(inputs), /Input contextDelivery: accountKey gives kaniko the storage account key/);
  });

  it('report workload identity without a service account', () => {
    const inputs = VALID_INPUTS.replace('containerRegistry: build-registry', 'registryCredentials: workloadIdentity');
    assertReported(checkInputs(inputs), /the task would reject these inputs: .*serviceAccount/);
  });

  it('report workload identity in a created namespace', () => {
    const inputs = VALID_INPUTS.replace('containerRegistry: build-registry', 'registryCredentials: workloadIdentity\nserviceAccount: builder\ncreateNamespace: true');
    assertReported(checkInputs(inputs), /Inputs createNamespace and registryCredentials/);
  });

  it('skip rules whose inputs are variables', () => {
    const inputs = VALID_INPUTS.replace('storageAccessKey: $(CONTEXT_STORAGE_KEY)\n', 'contextDelivery: $(delivery)\n');
    assert.deepEqual(checkInputs(inputs), []);
  });
});
