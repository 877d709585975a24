// Turns the raw values of a run into validated settings, or one error that lists every problem.
import { loc } from '../messages';
import { parseAksCluster } from './aks';
import { parseBuild } from './build';
import { parseClusterEndpoint } from './cluster';
import { parseContext } from './context';
import { skipsUnusedStagesByDefault } from './executor-version';
import { imageRegistry, parseImage, registryFromRepository } from './image';
import { parseInCluster } from './in-cluster';
import { isNoPush, parseKaniko, wantsSkipUnusedStages } from './kaniko';
import { parsePod } from './pod';
import { Problems } from './problems';
import type { RawRun, RawVariables } from './raw';
import { checkPullCredentials, parseAnonymousPullRegistries } from './pull-credentials';
import { parseRegistryEndpoint } from './registry';
import { checkInputForSecrets } from './secret-build-arguments';
import { parseStorage } from './storage';
import type { ClusterSettings, PodTemplate, RegistrySettings, RunIdentity, SecretBuildArgument, Settings } from './types';
import {
  parseRegistryCredentials, parseWorkloadIdentityRegistry, type RegistryCredentialsMode, workloadIdentityPullRegistries,
  workloadIdentitySettings,
} from './workload-identity';

/** Validates everything before the run touches the cluster or storage. */
export function parseSettings(raw: RawRun): Settings {
  const { inputs } = raw;
  const problems = new Problems();
  const cluster = parseCluster(raw, problems);
  const credentialsMode = parseRegistryCredentials(inputs.registryCredentials, problems);
  const noPush = isNoPush(inputs);
  const registry = parseRegistry(raw, credentialsMode, noPush, problems);
  const pullRegistries = parseBaseImageRegistries(raw, registry, problems);
  // A build that pushes nothing needs no tags: kaniko accepts --no-push without --destination.
  const image = parseImage(inputs.repository, inputs.tags, registry, problems, noPush);
  const build = parseBuild({
    dockerfile: inputs.dockerfile,
    buildContext: inputs.buildContext,
    buildArguments: inputs.buildArguments,
    secretBuildArguments: inputs.secretBuildArguments,
    target: inputs.target,
    secretBuildArgumentVariables: raw.secretBuildArgumentVariables,
    secretVariables: raw.secretVariables,
    buildsUnusedStages: !wantsSkipUnusedStages(inputs) && !skipsUnusedStagesByDefault(inputs.executorImage),
    root: raw.variables.defaultWorkingDirectory,
    findFiles: raw.findFiles,
  }, problems);
  const context = parseContext({ ...inputs, sourceDateEpoch: raw.variables.sourceDateEpoch }, problems);
  // The direct delivery streams the archive into the pod and needs no storage account.
  const storage = context?.delivery === 'direct' ? undefined : parseStorage({
    account: inputs.storageAccount,
    container: inputs.storageContainer,
    accessKey: inputs.storageAccessKey,
    endpoint: inputs.storageBlobEndpoint,
    connectionId: inputs.storageConnection,
    connection: raw.storageEndpoint,
    variables: raw.variables,
  }, problems);
  if (context?.delivery === 'accountKey' && storage?.connection) problems.add(loc('AccountKeyDeliveryNeedsKey'));
  const anonymousPullRegistries = parseAnonymousPullRegistries(inputs.anonymousPullRegistries, problems);
  // With workload identity, the pod's identity also pulls from the other ACR registries that no
  // connection covers, except those that allow anonymous pull.
  if (credentialsMode === 'workloadIdentity' && build && registry && pullRegistries) {
    const covered = [registry, ...pullRegistries];
    const images = build.pulledImages.filter((image) => !anonymousPullRegistries.has(imageRegistry(image.reference)));
    pullRegistries.push(...workloadIdentityPullRegistries(images, covered));
  }
  const anonymousPulls = build && registry && pullRegistries
    ? checkPullCredentials({
      images: build.pulledImages,
      registries: [registry, ...pullRegistries].filter((candidate) => !candidate.noCredentials),
      anonymousPullRegistries,
      dockerfile: build.dockerfileDisplayPath,
    }, problems).anonymous
    : [];
  const connectionNamespace = cluster && cluster.kind !== 'aks' ? cluster.connectionNamespace : undefined;
  const workloadIdentity = credentialsMode === 'workloadIdentity' ? workloadIdentitySettings(registry?.host) : undefined;
  const pod = parsePod({ ...inputs, connectionNamespace, workloadIdentity }, problems);
  checkTemplateVariables(pod?.template, build?.secretBuildArguments ?? [], problems);
  const kaniko = parseKaniko({ ...inputs, repositoryUri: raw.variables.repositoryUri, sourceVersion: raw.variables.sourceVersion }, {
    image, registries: registry && pullRegistries ? [registry, ...pullRegistries] : [], stageCount: build?.stageCount,
  }, problems);
  for (const input of ['extraArgs', 'labels'] as const) checkInputForSecrets(input, inputs[input], raw.secretVariables, problems);
  checkBooleanInputs(inputs, problems);
  problems.throwIfAny();
  // Every parser adds a problem whenever it returns undefined, so all are defined here.
  return {
    cluster: cluster!, registry: registry!, pullRegistries: pullRegistries!, anonymousPulls,
    image: image!, build: build!, storage, context: context!, pod: pod!, kaniko: kaniko!, run: runIdentity(raw.variables),
  };
}

/**
 * Parses the push registry from the registry connection, or from the repository with workload
 * identity or for a noPush build without a connection.
 */
function parseRegistry(
  raw: RawRun, mode: RegistryCredentialsMode | undefined, noPush: boolean, problems: Problems,
): RegistrySettings | undefined {
  if (mode === 'workloadIdentity') return parseWorkloadIdentityRegistry(raw.inputs.repository, problems);
  if (mode !== 'serviceConnection') return undefined;
  if (noPush && !raw.inputs.containerRegistry) return registryFromRepository(raw.inputs.repository, problems);
  return parseRegistryEndpoint(raw.registryEndpoint, problems, raw.variables);
}

function parseCluster(raw: RawRun, problems: Problems): ClusterSettings | undefined {
  switch (raw.inputs.connectionType) {
    case 'azureResourceManager':
      return parseAksCluster(raw.inputs, raw.armEndpoint, raw.variables, problems);
    case 'inCluster':
      return parseInCluster(problems);
    default:
      return parseClusterEndpoint(raw.kubernetesEndpoint, problems);
  }
}

/**
 * Parses the connections that kaniko pulls base images with. config.json has one set of
 * credentials per registry, so two connections for one registry are a problem. A connection for
 * the push registry is left out, because the push credentials can pull too, unless the task has
 * no credentials for the push registry.
 */
function parseBaseImageRegistries(
  raw: RawRun, registry: RegistrySettings | undefined, problems: Problems,
): RegistrySettings[] | undefined {
  const start = problems.count;
  const registries: RegistrySettings[] = [];
  for (const { id, endpoint } of raw.baseImageEndpoints) {
    if (!endpoint) {
      problems.add(loc('BaseImageConnectionMissing', id));
      continue;
    }
    const parsed = parseRegistryEndpoint(endpoint, problems, raw.variables);
    if (!parsed || (parsed.host === registry?.host && !registry.noCredentials)) continue;
    const duplicate = registries.find((earlier) => earlier.host === parsed.host);
    if (duplicate) {
      problems.add(loc('BaseImageRegistryDuplicate', duplicate.connectionName, parsed.connectionName, parsed.host));
      continue;
    }
    registries.push(parsed);
  }
  return problems.count > start ? undefined : registries;
}

function runIdentity(variables: RawVariables): RunIdentity {
  const collection = variables.collectionUri.replace(/\/+$/, '');
  const buildUrl = collection && variables.teamProject && variables.buildId
    ? `${collection}/${encodeURIComponent(variables.teamProject)}/_build/results?buildId=${variables.buildId}`
    : undefined;
  return {
    buildId: variables.buildId,
    jobId: variables.jobId,
    teamProject: variables.teamProject,
    definitionName: variables.definitionName,
    buildUrl,
    tempDirectory: variables.tempDirectory || undefined,
    stepId: variables.stepId || undefined,
    stepDisplayName: variables.stepDisplayName || undefined,
  };
}

/** Rejects template variables of the kaniko container that a secret build argument sets, which would replace its value. */
function checkTemplateVariables(template: PodTemplate | undefined, secretBuildArguments: SecretBuildArgument[], problems: Problems): void {
  const names = new Set(secretBuildArguments.map((argument) => argument.name));
  for (const variable of template?.kaniko?.env ?? []) {
    if (names.has(variable.name)) problems.add(loc('PodTemplateOwned', 'podTemplate', `spec.containers[0].env ${variable.name}`, loc('HintTemplateSecretBuildArgument')));
  }
}

/** Boolean inputs, which the settings read as true only when their value is `true`. */
const BOOLEAN_INPUTS = ['useClusterAdmin', 'createNamespace', 'reproducibleContext', 'cache', 'ociLabels', 'skipUnusedStages', 'noPush'] as const;

/** Rejects a boolean input that is neither true nor false, such as `yes`, which would otherwise count as false. */
function checkBooleanInputs(inputs: RawRun['inputs'], problems: Problems): void {
  for (const input of BOOLEAN_INPUTS) {
    const value = inputs[input];
    if (value !== '' && !/^(true|false)$/i.test(value)) problems.add(loc('BooleanInputInvalid', input, value));
  }
}
