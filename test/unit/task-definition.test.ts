// Checks task.json for what the schema cannot see: visible rules, groups, names and aliases,
// defaults, the classic editor's pickers and the help links. The second part breaks a copy of
// task.json in one way per case and expects exactly that check to report it.
import { strict as assert } from 'node:assert';
import { readTaskDefinition } from '../../tools/runner/task-definition';
import { resolveInputs } from '../../tools/runner/inputs';
import {
  checkDataSourceBindings, checkDefaults, checkGroups, checkNamesAndAliases, checkVisibleRules,
} from './task-json/definition-checks';
import { checkHelpText } from './task-json/help-links';
import { headingAnchors } from './task-json/markdown';
import { readTaskJson, repositoryRoot, taskJsonPath, type TaskInput, type TaskJson } from './task-json/task-json';
import * as path from 'node:path';

const task = readTaskJson();

function inputNamed(definition: TaskJson, name: string): TaskInput {
  const input = definition.inputs.find((candidate) => candidate.name === name);
  assert.ok(input, `task.json has no input ${name}`);
  return input;
}

/** Returns a deep copy of task.json after `change`. */
function brokenCopy(change: (copy: TaskJson) => void): TaskJson {
  const copy = structuredClone(task);
  change(copy);
  return copy;
}

/** Asserts that the problems contain one that matches `expected`. */
function assertReported(problems: string[], expected: RegExp): void {
  assert.ok(problems.some((problem) => expected.test(problem)), `expected a problem matching ${expected}, got: ${JSON.stringify(problems)}`);
}

describe('task.json definition', () => {
  it('has valid visible rules', () => {
    assert.deepEqual(checkVisibleRules(task), []);
  });

  it('declares and uses every group', () => {
    assert.deepEqual(checkGroups(task), []);
  });

  it('has unique names and aliases', () => {
    assert.deepEqual(checkNamesAndAliases(task), []);
  });

  it('has defaults its inputs accept', () => {
    assert.deepEqual(checkDefaults(task), []);
  });

  it('has valid data source bindings', () => {
    assert.deepEqual(checkDataSourceBindings(task), []);
  });

  it('has help with working links', () => {
    assert.deepEqual(checkHelpText(task, repositoryRoot), []);
  });

  it('binds the AKS pickers to the cluster connection', () => {
    const bindings = task.dataSourceBindings ?? [];
    const resourceGroups = bindings.find((binding) => binding.target === 'azureResourceGroup');
    const clusters = bindings.find((binding) => binding.target === 'kubernetesCluster');
    assert.equal(resourceGroups?.endpointId, '$(azureSubscriptionEndpoint)');
    assert.equal(clusters?.endpointId, '$(azureSubscriptionEndpoint)');
    assert.match(resourceGroups?.endpointUrl ?? '', /\/providers\/Microsoft\.ContainerService\/managedClusters\?/);
    assert.match(clusters?.endpointUrl ?? '', /\/resourceGroups\/\$\(azureResourceGroup\)\/providers\/Microsoft\.ContainerService\/managedClusters\?/);
  });

  it('binds the storage pickers to the storage connection', () => {
    const bindings = task.dataSourceBindings ?? [];
    const accounts = bindings.find((binding) => binding.target === 'storageAccount');
    const containers = bindings.find((binding) => binding.target === 'storageContainer');
    assert.equal(accounts?.endpointId, '$(storageConnection)');
    assert.equal(containers?.endpointId, '$(storageConnection)');
    assert.deepEqual(containers?.parameters, { storageAccount: '$(storageAccount)' });
  });

  it('keeps every earlier name and alias', () => {
    // The names and aliases of version 1.4.0: YAML pipelines that use them must keep working.
    const earlier = [
      'connectionType', 'kubernetesServiceConnection', 'kubernetesConnection', 'azureSubscriptionEndpoint',
      'azureSubscription', 'azureSubscriptionConnection', 'azureResourceGroup', 'kubernetesCluster', 'useClusterAdmin',
      'namespace', 'createNamespace', 'registryCredentials', 'serviceAccount', 'containerRegistry', 'registryConnection',
      'repository', 'tags', 'dockerfile', 'buildContext', 'buildArguments', 'buildArgs', 'target', 'baseImageRegistries',
      'baseImageConnections', 'anonymousPullRegistries', 'contextDelivery', 'storageAccount', 'storageContainer',
      'storageAccessKey', 'storageConnection', 'storageBlobEndpoint', 'blobEndpoint', 'executorImage', 'downloadImage',
      'reproducibleContext', 'contextRetentionInDays', 'contextRetention', 'cpuRequest', 'memoryRequest', 'cpuLimit',
      'memoryLimit', 'buildTimeoutInMinutes', 'buildTimeout', 'schedulingTimeoutInMinutes',
    ];
    const current = new Set(task.inputs.flatMap((input) => [input.name, ...(input.aliases ?? [])]));
    for (const name of earlier) assert.ok(current.has(name), `${name} is no longer an input name or alias`);
  });

  it('resolves the short aliases to their inputs', () => {
    // The agent-like runner maps aliases to names as the service does before the agent runs the task.
    const definition = readTaskDefinition(path.dirname(taskJsonPath));
    const { values } = resolveInputs(definition, { resourceGroup: 'rg-builds', schedulingTimeout: '12' }, {}, repositoryRoot);
    assert.equal(values.azureResourceGroup, 'rg-builds');
    assert.equal(values.schedulingTimeoutInMinutes, '12');
  });
});

describe('task.json definition checks', () => {
  describe('visible rules', () => {
    it('report a missing input', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'storageAccount').visibleRule = 'delivery != direct'; });
      assertReported(checkVisibleRules(broken), /visibleRule of storageAccount refers to delivery, which is not an input name/);
    });

    it('report an alias in place of a name', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'kubernetesCluster').visibleRule = 'azureSubscription != ""'; });
      assertReported(checkVisibleRules(broken), /refers to azureSubscription, which is not an input name/);
    });

    it('report a value the pickList lacks', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'storageAccount').visibleRule = 'contextDelivery != stream'; });
      assertReported(checkVisibleRules(broken), /compares contextDelivery with "stream", which is not one of its values: sasDownload, accountKey, direct/);
    });

    it('report a value in the wrong case', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'kubernetesCluster').visibleRule = 'connectionType = AzureResourceManager'; });
      assertReported(checkVisibleRules(broken), /compares connectionType with "AzureResourceManager"/);
    });

    it('report a boolean compared with a word', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'namespace').visibleRule = 'createNamespace = yes'; });
      assertReported(checkVisibleRules(broken), /compares createNamespace with "yes", which is not one of its values: true, false/);
    });

    it('report a clause without an operator', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'namespace').visibleRule = 'createNamespace'; });
      assertReported(checkVisibleRules(broken), /visibleRule of namespace cannot be parsed/);
    });

    it('report a rule that mixes && and ||', () => {
      const broken = brokenCopy((copy) => {
        inputNamed(copy, 'namespace').visibleRule = 'createNamespace = true && connectionType = inCluster || connectionType = azureResourceManager';
      });
      assertReported(checkVisibleRules(broken), /mixes && and \|\|/);
    });

    it('report a rule on the input itself', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'namespace').visibleRule = 'namespace != ""'; });
      assertReported(checkVisibleRules(broken), /visibleRule of namespace refers to the input itself/);
    });
  });

  describe('groups', () => {
    it('report an undeclared group', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'target').groupName = 'dockerfile'; });
      assertReported(checkGroups(broken), /input target is in group dockerfile, which is not declared/);
    });

    it('report a group without inputs', () => {
      const broken = brokenCopy((copy) => { copy.groups?.push({ name: 'network', displayName: 'Network' }); });
      assertReported(checkGroups(broken), /group network contains no input/);
    });

    it('report a group declared twice', () => {
      const broken = brokenCopy((copy) => { copy.groups?.push({ name: 'pod', displayName: 'Pod again' }); });
      assertReported(checkGroups(broken), /group pod is declared twice/);
    });
  });

  describe('names and aliases', () => {
    it('report an alias that repeats a name', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'buildContext').aliases = ['target']; });
      assertReported(checkNamesAndAliases(broken), /alias target \(of target\) repeats target of buildContext|alias target \(of buildContext\) repeats target of target/);
    });

    it('report aliases that differ only in case', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'buildTimeoutInMinutes').aliases = ['SchedulingTimeout']; });
      assertReported(checkNamesAndAliases(broken), /repeats .*ignoring case/);
    });
  });

  describe('defaults', () => {
    it('report a pickList default outside its options', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'contextDelivery').defaultValue = 'sas'; });
      assertReported(checkDefaults(broken), /default "sas" of contextDelivery is not one of its values/);
    });

    it('report a boolean default that is not true or false', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'reproducibleContext').defaultValue = 'yes'; });
      assertReported(checkDefaults(broken), /default "yes" of reproducibleContext is not one of its values: true, false/);
    });

    it('report an int default that is not a whole number', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'buildTimeoutInMinutes').defaultValue = '30m'; });
      assertReported(checkDefaults(broken), /default "30m" of int input buildTimeoutInMinutes is not a whole number/);
    });

    it('accept any default of an editable picker', () => {
      // storageContainer has the default kaniko-contexts, which no list has to contain.
      assert.equal(inputNamed(task, 'storageContainer').defaultValue, 'kaniko-contexts');
      assert.deepEqual(checkDefaults(task), []);
    });
  });

  describe('data source bindings', () => {
    const binding = (copy: TaskJson, target: string) => {
      const found = copy.dataSourceBindings?.find((candidate) => candidate.target === target);
      assert.ok(found, `no binding targets ${target}`);
      return found;
    };

    it('report a target that is not an input', () => {
      const broken = brokenCopy((copy) => { binding(copy, 'storageAccount').target = 'storageAccountName'; });
      assertReported(checkDataSourceBindings(broken), /targets storageAccountName, which is not an input name/);
    });

    it('report a target that is not editable', () => {
      const broken = brokenCopy((copy) => { delete inputNamed(copy, 'kubernetesCluster').properties; });
      assertReported(checkDataSourceBindings(broken), /targets kubernetesCluster, which is not a pickList with properties.EditableOptions "True"/);
    });

    it('report a target that is a string input', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'storageContainer').type = 'string'; });
      assertReported(checkDataSourceBindings(broken), /targets storageContainer, which is not a pickList/);
    });

    it('report two bindings of one target', () => {
      const broken = brokenCopy((copy) => { copy.dataSourceBindings?.push({ ...binding(copy, 'storageAccount') }); });
      assertReported(checkDataSourceBindings(broken), /repeats the target of an earlier binding/);
    });

    it('report a parameter that names no input', () => {
      const broken = brokenCopy((copy) => { binding(copy, 'storageContainer').parameters = { storageAccount: '$(storageAccountName)' }; });
      assertReported(checkDataSourceBindings(broken), /parameters.storageAccount refers to \$\(storageAccountName\), which is neither an input name nor endpoint/);
    });

    it('report an unknown endpoint field', () => {
      const broken = brokenCopy((copy) => {
        const clusters = binding(copy, 'kubernetesCluster');
        clusters.endpointUrl = clusters.endpointUrl?.replace('$(azureResourceGroup)', '$(endpoint.resourceGroup)');
      });
      assertReported(checkDataSourceBindings(broken), /endpointUrl refers to \$\(endpoint.resourceGroup\)/);
    });

    it('accept a documented endpoint field', () => {
      const fixed = brokenCopy((copy) => { binding(copy, 'storageContainer').parameters = { storageAccount: '$(storageAccount)', subscription: '$(endpoint.subscriptionId)' }; });
      assert.deepEqual(checkDataSourceBindings(fixed), []);
    });

    it('report an endpointId that is not $(input)', () => {
      const broken = brokenCopy((copy) => { binding(copy, 'storageAccount').endpointId = 'storageConnection'; });
      assertReported(checkDataSourceBindings(broken), /has endpointId "storageConnection", which is not \$\(input\)/);
    });

    it('report an endpointId of an input that is not a connection', () => {
      const broken = brokenCopy((copy) => { binding(copy, 'storageAccount').endpointId = '$(storageAccessKey)'; });
      assertReported(checkDataSourceBindings(broken), /endpointId \$\(storageAccessKey\), which is not a connectedService input/);
    });

    it('report an AzureRM data source on another connection type', () => {
      const broken = brokenCopy((copy) => { binding(copy, 'storageAccount').endpointId = '$(containerRegistry)'; });
      assertReported(checkDataSourceBindings(broken), /AzureRM data source AzureStorageAccountRM with containerRegistry, a connectedService:dockerregistry input/);
    });

    it('report an unknown data source name', () => {
      const broken = brokenCopy((copy) => { binding(copy, 'storageAccount').dataSourceName = 'AzureStorageAccountsRM'; });
      assertReported(checkDataSourceBindings(broken), /uses the data source AzureStorageAccountsRM, which is not one of/);
    });

    it('report a URL placeholder without a value', () => {
      const broken = brokenCopy((copy) => { binding(copy, 'azureResourceGroup').initialContextTemplate = '{"pageToken": ""}'; });
      assertReported(checkDataSourceBindings(broken), /endpointUrl uses \{\{skipToken\}\}, which is neither an endpoint field nor a key of initialContextTemplate/);
    });

    it('report paging templates that are incomplete', () => {
      const broken = brokenCopy((copy) => { delete binding(copy, 'kubernetesCluster').callbackRequiredTemplate; });
      assertReported(checkDataSourceBindings(broken), /has only some of initialContextTemplate, callbackContextTemplate and callbackRequiredTemplate/);
    });

    it('report a URL without api-version', () => {
      const broken = brokenCopy((copy) => {
        const clusters = binding(copy, 'kubernetesCluster');
        clusters.endpointUrl = clusters.endpointUrl?.replace(/&api-version=[^&]*/, '');
      });
      assertReported(checkDataSourceBindings(broken), /endpointUrl without api-version/);
    });

    it('report a URL with an empty path segment', () => {
      const broken = brokenCopy((copy) => {
        const clusters = binding(copy, 'kubernetesCluster');
        clusters.endpointUrl = clusters.endpointUrl?.replace('/providers/', '//providers/');
      });
      assertReported(checkDataSourceBindings(broken), /endpointUrl with an empty path segment/);
    });

    it('report a pickList without options or binding', () => {
      const broken = brokenCopy((copy) => { copy.dataSourceBindings = copy.dataSourceBindings?.filter((item) => item.target !== 'storageContainer'); });
      assertReported(checkDataSourceBindings(broken), /pickList storageContainer has neither options nor a dataSourceBinding/);
    });
  });

  describe('help text', () => {
    it('report an input without help', () => {
      const broken = brokenCopy((copy) => { delete inputNamed(copy, 'target').helpMarkDown; });
      assertReported(checkHelpText(broken, repositoryRoot), /input target has no helpMarkDown/);
    });

    it('report a link that is not https', () => {
      const broken = brokenCopy((copy) => { inputNamed(copy, 'target').helpMarkDown = 'See [stages](http://docs.docker.com/).'; });
      assertReported(checkHelpText(broken, repositoryRoot), /links to http:\/\/docs.docker.com\/, which is not an https URL/);
    });

    it('report a link to a missing docs page', () => {
      const broken = brokenCopy((copy) => {
        inputNamed(copy, 'target').helpMarkDown = 'See [stages](https://github.com/kaniko-build-on-aks/kaniko-build-on-aks/blob/main/docs/stages.md).';
      });
      assertReported(checkHelpText(broken, repositoryRoot), /links to docs\/stages.md, which does not exist/);
    });

    it('report a link to a missing heading', () => {
      const broken = brokenCopy((copy) => {
        inputNamed(copy, 'target').helpMarkDown = 'See [it](https://github.com/kaniko-build-on-aks/kaniko-build-on-aks/blob/main/docs/connections.md#clusters).';
      });
      assertReported(checkHelpText(broken, repositoryRoot), /docs\/connections.md#clusters, but docs\/connections.md has no heading with that anchor/);
    });
  });

  describe('heading anchors', () => {
    it('follow GitHub and skip code blocks', () => {
      const markdown = [
        '# Kaniko Build on AKS: inputs',
        "### No registry connection: the build pod's workload identity",
        '## Cluster',
        '## Cluster',
        '```sh',
        '# 1. Not a heading',
        '```',
      ].join('\n');
      assert.deepEqual([...headingAnchors(markdown)], [
        'kaniko-build-on-aks-inputs', 'no-registry-connection-the-build-pods-workload-identity', 'cluster', 'cluster-1',
      ]);
    });
  });
});
