// The kaniko Pod and its arguments.
import type { V1EnvVar, V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import type { PodTemplateRules } from '../settings/pod-template';
import type { BuildSettings, ContextDelivery, KanikoSettings, PodSettings, ResourceSettings } from '../settings/types';
import { downloadContainer, workspaceMount, workspaceVolume, WORKSPACE_PATH, WORKSPACE_VOLUME } from './context-download';
import { kanikoOptionArguments, secretBuildArgumentEnvironment } from './kaniko-options';
import { LABEL_PREFIX } from './names';
import { mergePodTemplate } from './pod-template';

export const KANIKO_CONTAINER = 'kaniko';
/** Environment variable kaniko reads the storage account key from (kaniko's pkg/buildcontext/azureblob.go). */
export const STORAGE_KEY_VARIABLE = 'AZURE_STORAGE_ACCESS_KEY';
export const DOCKER_CONFIG_KEY = 'config.json';
/** kaniko's context for an archive on its standard input (kaniko's pkg/buildcontext/tar.go). */
export const STDIN_CONTEXT_URL = 'tar://stdin';
const DOCKER_CONFIG_VOLUME = 'docker-config';
const DOCKER_CONFIG_PATH = '/kaniko/.docker';
/** The variable that kaniko reads the folder of config.json from, which the task mounts at DOCKER_CONFIG_PATH. */
const DOCKER_CONFIG_VARIABLE = 'DOCKER_CONFIG';
const AZURE_ENVIRONMENT_VARIABLE = 'AZURE_ENVIRONMENT';
/** The folder of kaniko's executor and its own files in the executor image; a volume mounted there hides them. */
const KANIKO_HOME = '/kaniko';
/** Labels that runLabels sets, as keys or prefixes ending in `/`. */
const RUN_LABEL_KEYS = ['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/managed-by', `${LABEL_PREFIX}/`];
/**
 * The label that the Azure workload identity webhook selects pods by (its
 * MutatingWebhookConfiguration's objectSelector, Azure/azure-workload-identity).
 */
export const WORKLOAD_IDENTITY_LABEL = 'azure.workload.identity/use';

export interface PodPlanInputs {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  contextUrl: string;
  destinations: string[];
  build: BuildSettings;
  pod: PodSettings;
  kaniko: KanikoSettings;
  registrySecretName: string;
  /** The Secret with the values of the secret build arguments, one key per argument. */
  buildArgumentsSecretName: string;
  /** The Secret with the storage account key (`accountKey`) or the SAS URL (`sasDownload`). */
  storageSecretName: string;
  delivery: ContextDelivery;
  /** The download init container's image, for `sasDownload`. */
  downloadImage: string;
}

/** Returns kaniko's arguments, one `--flag=value` each, so that values with spaces stay whole. */
export function kanikoArguments(inputs: PodPlanInputs): string[] {
  return [
    `--context=${inputs.contextUrl}`,
    `--dockerfile=${inputs.build.dockerfile}`,
    ...inputs.destinations.map((destination) => `--destination=${destination}`),
    ...inputs.build.buildArguments.map(({ name, value }) => `--build-arg=${name}=${value}`),
    // Without a value: kaniko reads it from its environment, which gets it from a Secret.
    ...inputs.build.secretBuildArguments.map(({ name }) => `--build-arg=${name}`),
    ...(inputs.build.target ? [`--target=${inputs.build.target}`] : []),
    // kaniko writes the image's digest here, also with --no-push; Kubernetes returns the file as
    // the container's termination message. The default `color` log format garbles pipeline logs.
    '--digest-file=/dev/termination-log',
    '--log-format=text',
    ...kanikoOptionArguments(inputs.kaniko),
  ];
}

/** Returns what a pod template may not set, because the pod below sets it. */
export function podTemplateRules(): PodTemplateRules {
  return {
    ownedLabels: [...RUN_LABEL_KEYS, WORKLOAD_IDENTITY_LABEL],
    ownedAnnotations: [`${LABEL_PREFIX}/`],
    ownedVolumes: [DOCKER_CONFIG_VOLUME, WORKSPACE_VOLUME],
    ownedMountPaths: [KANIKO_HOME, DOCKER_CONFIG_PATH, WORKSPACE_PATH],
    ownedVariables: [STORAGE_KEY_VARIABLE, AZURE_ENVIRONMENT_VARIABLE, DOCKER_CONFIG_VARIABLE],
  };
}

/** Returns the kaniko pod, with the pod template's fields merged in when the settings have one. */
export function kanikoPod(inputs: PodPlanInputs): V1Pod {
  const pod = generatedPod(inputs);
  return inputs.pod.template ? mergePodTemplate(pod, KANIKO_CONTAINER, inputs.pod.template) : pod;
}

function generatedPod(inputs: PodPlanInputs): V1Pod {
  const { resources, serviceAccount, workloadIdentity, nodeSelector, tolerations } = inputs.pod;
  const labels = workloadIdentity ? { ...inputs.labels, [WORKLOAD_IDENTITY_LABEL]: 'true' } : inputs.labels;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: inputs.name, namespace: inputs.namespace, labels, annotations: inputs.annotations },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: inputs.pod.timeoutSeconds,
      ...(serviceAccount ? { serviceAccountName: serviceAccount } : {}),
      ...(nodeSelector ? { nodeSelector } : {}),
      ...(tolerations ? { tolerations } : {}),
      // kaniko needs no Kubernetes API access, and the build must not see the namespace's services.
      // Workload identity still works: the webhook mounts its own projected token whatever this
      // field is set to (pkg/webhook/webhook.go addProjectedVolume), and that token's audience
      // api://AzureADTokenExchange is one the API server does not accept.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 5,
      ...(inputs.delivery === 'sasDownload' ? { initContainers: [downloadContainer(inputs.downloadImage, inputs.storageSecretName)] } : {}),
      containers: [{
        name: KANIKO_CONTAINER,
        image: inputs.pod.executorImage,
        args: kanikoArguments(inputs),
        env: kanikoEnvironment(inputs),
        // With the direct delivery the task writes the archive to stdin once; stdinOnce makes
        // the end of that one attach the end of kaniko's input.
        ...(inputs.delivery === 'direct' ? { stdin: true, stdinOnce: true } : {}),
        resources: containerResources(resources),
        volumeMounts: [
          { name: DOCKER_CONFIG_VOLUME, mountPath: DOCKER_CONFIG_PATH, readOnly: true },
          ...(inputs.delivery === 'sasDownload' ? [workspaceMount()] : []),
        ],
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      }],
      volumes: [
        {
          name: DOCKER_CONFIG_VOLUME,
          secret: { secretName: inputs.registrySecretName, items: [{ key: DOCKER_CONFIG_KEY, path: DOCKER_CONFIG_KEY }] },
        },
        ...(inputs.delivery === 'sasDownload' ? [workspaceVolume()] : []),
      ],
    },
  };
}

/** Returns the container's resources; a request left empty is the limit, as the API server would default it. */
function containerResources(resources: ResourceSettings): V1ResourceRequirements {
  const { requests, limits } = resources;
  const ephemeralRequest = requests.ephemeralStorage ?? limits.ephemeralStorage;
  return {
    requests: {
      cpu: requests.cpu ?? limits.cpu,
      memory: requests.memory ?? limits.memory,
      ...(ephemeralRequest ? { 'ephemeral-storage': ephemeralRequest } : {}),
    },
    limits: {
      cpu: limits.cpu,
      memory: limits.memory,
      ...(limits.ephemeralStorage ? { 'ephemeral-storage': limits.ephemeralStorage } : {}),
    },
  };
}

function kanikoEnvironment(inputs: PodPlanInputs): V1EnvVar[] {
  const env: V1EnvVar[] = [];
  if (inputs.delivery === 'accountKey') {
    env.push({ name: STORAGE_KEY_VARIABLE, valueFrom: { secretKeyRef: { name: inputs.storageSecretName, key: STORAGE_KEY_VARIABLE } } });
  }
  // The acr-env helper reads the cloud from AZURE_ENVIRONMENT, not from the AZURE_AUTHORITY_HOST
  // that the webhook sets (go-autorest's auth.GetSettingsFromEnvironment).
  const azureEnvironment = inputs.pod.workloadIdentity?.azureEnvironment;
  if (azureEnvironment) env.push({ name: AZURE_ENVIRONMENT_VARIABLE, value: azureEnvironment });
  env.push(...secretBuildArgumentEnvironment(inputs.build.secretBuildArguments, inputs.buildArgumentsSecretName));
  return env;
}
