// The kaniko Pod and its arguments.
import type { V1Pod } from '@kubernetes/client-node';
import type { BuildSettings, PodSettings } from '../settings/types';

export const KANIKO_CONTAINER = 'kaniko';
/** Environment variable kaniko reads the storage account key from (kaniko's pkg/buildcontext/azureblob.go). */
export const STORAGE_KEY_VARIABLE = 'AZURE_STORAGE_ACCESS_KEY';
export const DOCKER_CONFIG_KEY = 'config.json';
const DOCKER_CONFIG_VOLUME = 'docker-config';

export interface PodPlanInputs {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  contextUrl: string;
  destinations: string[];
  build: BuildSettings;
  pod: PodSettings;
  registrySecretName: string;
  storageSecretName: string;
}

/** Returns kaniko's arguments, one `--flag=value` each, so that values with spaces stay whole. */
export function kanikoArguments(inputs: PodPlanInputs): string[] {
  return [
    `--context=${inputs.contextUrl}`,
    `--dockerfile=${inputs.build.dockerfile}`,
    ...inputs.destinations.map((destination) => `--destination=${destination}`),
    ...inputs.build.buildArguments.map(({ name, value }) => `--build-arg=${name}=${value}`),
    ...(inputs.build.target ? [`--target=${inputs.build.target}`] : []),
    // kaniko writes the pushed digest here; Kubernetes returns the file as the container's
    // termination message. The default `color` log format garbles pipeline logs.
    '--digest-file=/dev/termination-log',
    '--log-format=text',
  ];
}

export function kanikoPod(inputs: PodPlanInputs): V1Pod {
  const { resources } = inputs.pod;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: inputs.name, namespace: inputs.namespace, labels: inputs.labels, annotations: inputs.annotations },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: inputs.pod.timeoutSeconds,
      // kaniko needs no Kubernetes API access, and the build must not see the namespace's services.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 5,
      containers: [{
        name: KANIKO_CONTAINER,
        image: inputs.pod.executorImage,
        args: kanikoArguments(inputs),
        env: [{
          name: STORAGE_KEY_VARIABLE,
          valueFrom: { secretKeyRef: { name: inputs.storageSecretName, key: STORAGE_KEY_VARIABLE } },
        }],
        resources: {
          requests: { cpu: resources.requests.cpu ?? resources.limits.cpu, memory: resources.requests.memory ?? resources.limits.memory },
          limits: { cpu: resources.limits.cpu, memory: resources.limits.memory },
        },
        volumeMounts: [{ name: DOCKER_CONFIG_VOLUME, mountPath: '/kaniko/.docker', readOnly: true }],
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      }],
      volumes: [{
        name: DOCKER_CONFIG_VOLUME,
        secret: { secretName: inputs.registrySecretName, items: [{ key: DOCKER_CONFIG_KEY, path: DOCKER_CONFIG_KEY }] },
      }],
    },
  };
}
