// Go types of the core/v1 and authorization/v1 fields that the decoder checks, so that a request
// body with a wrong JSON type fails with the message that Go's JSON decoder gives. The schemas
// list the fields that a build pod, a Secret, a namespace or an access review commonly uses, not
// every field: fields not listed here are kept without a type check.

export type FieldType =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'quantity'
  | 'bytes'
  | { list: FieldType; goType: string }
  | { map: FieldType; goType: string }
  | StructSchema;

export interface StructSchema {
  /** The Go type as it appears in messages, such as `v1.Container`. */
  goType: string;
  fields: Record<string, FieldType>;
}

const STRING_LIST: FieldType = { list: 'string', goType: '[]string' };
const STRING_MAP: FieldType = { map: 'string', goType: 'map[string]string' };
const RESOURCE_LIST: FieldType = { map: 'quantity', goType: 'v1.ResourceList' };

const OBJECT_META: StructSchema = {
  goType: 'v1.ObjectMeta',
  fields: {
    name: 'string',
    generateName: 'string',
    namespace: 'string',
    uid: 'string',
    resourceVersion: 'string',
    labels: STRING_MAP,
    annotations: STRING_MAP,
    ownerReferences: {
      list: {
        goType: 'v1.OwnerReference',
        fields: { apiVersion: 'string', kind: 'string', name: 'string', uid: 'string', controller: 'bool', blockOwnerDeletion: 'bool' },
      },
      goType: '[]v1.OwnerReference',
    },
    finalizers: STRING_LIST,
  },
};

const KEY_TO_PATH: StructSchema = { goType: 'v1.KeyToPath', fields: { key: 'string', path: 'string', mode: 'int32' } };
const KEY_TO_PATH_LIST: FieldType = { list: KEY_TO_PATH, goType: '[]v1.KeyToPath' };

const SECRET_KEY_SELECTOR: StructSchema = {
  goType: 'v1.SecretKeySelector',
  fields: { name: 'string', key: 'string', optional: 'bool' },
};

const ENV_VAR: StructSchema = {
  goType: 'v1.EnvVar',
  fields: {
    name: 'string',
    value: 'string',
    valueFrom: {
      goType: 'v1.EnvVarSource',
      fields: {
        secretKeyRef: SECRET_KEY_SELECTOR,
        configMapKeyRef: { goType: 'v1.ConfigMapKeySelector', fields: { name: 'string', key: 'string', optional: 'bool' } },
        fieldRef: { goType: 'v1.ObjectFieldSelector', fields: { apiVersion: 'string', fieldPath: 'string' } },
      },
    },
  },
};

const CONTAINER: StructSchema = {
  goType: 'v1.Container',
  fields: {
    name: 'string',
    image: 'string',
    command: STRING_LIST,
    args: STRING_LIST,
    workingDir: 'string',
    ports: {
      list: { goType: 'v1.ContainerPort', fields: { name: 'string', containerPort: 'int32', hostPort: 'int32', protocol: 'string' } },
      goType: '[]v1.ContainerPort',
    },
    env: { list: ENV_VAR, goType: '[]v1.EnvVar' },
    resources: { goType: 'v1.ResourceRequirements', fields: { limits: RESOURCE_LIST, requests: RESOURCE_LIST } },
    volumeMounts: {
      list: {
        goType: 'v1.VolumeMount',
        fields: { name: 'string', mountPath: 'string', readOnly: 'bool', subPath: 'string' },
      },
      goType: '[]v1.VolumeMount',
    },
    imagePullPolicy: 'string',
    terminationMessagePath: 'string',
    terminationMessagePolicy: 'string',
    stdin: 'bool',
    stdinOnce: 'bool',
    tty: 'bool',
  },
};

const CONTAINER_LIST: FieldType = { list: CONTAINER, goType: '[]v1.Container' };

const VOLUME: StructSchema = {
  goType: 'v1.Volume',
  fields: {
    name: 'string',
    secret: {
      goType: 'v1.SecretVolumeSource',
      fields: { secretName: 'string', items: KEY_TO_PATH_LIST, defaultMode: 'int32', optional: 'bool' },
    },
    configMap: {
      goType: 'v1.ConfigMapVolumeSource',
      fields: { name: 'string', items: KEY_TO_PATH_LIST, defaultMode: 'int32', optional: 'bool' },
    },
    emptyDir: { goType: 'v1.EmptyDirVolumeSource', fields: { medium: 'string', sizeLimit: 'quantity' } },
    hostPath: { goType: 'v1.HostPathVolumeSource', fields: { path: 'string', type: 'string' } },
  },
};

const TOLERATION: StructSchema = {
  goType: 'v1.Toleration',
  fields: { key: 'string', operator: 'string', value: 'string', effect: 'string', tolerationSeconds: 'int64' },
};

const POD_SPEC: StructSchema = {
  goType: 'v1.PodSpec',
  fields: {
    volumes: { list: VOLUME, goType: '[]v1.Volume' },
    initContainers: CONTAINER_LIST,
    containers: CONTAINER_LIST,
    restartPolicy: 'string',
    terminationGracePeriodSeconds: 'int64',
    activeDeadlineSeconds: 'int64',
    dnsPolicy: 'string',
    nodeSelector: STRING_MAP,
    serviceAccountName: 'string',
    automountServiceAccountToken: 'bool',
    nodeName: 'string',
    hostNetwork: 'bool',
    imagePullSecrets: {
      list: { goType: 'v1.LocalObjectReference', fields: { name: 'string' } },
      goType: '[]v1.LocalObjectReference',
    },
    hostname: 'string',
    subdomain: 'string',
    schedulerName: 'string',
    tolerations: { list: TOLERATION, goType: '[]v1.Toleration' },
    priorityClassName: 'string',
    priority: 'int32',
    enableServiceLinks: 'bool',
  },
};

export const POD_SCHEMA: StructSchema = {
  goType: 'v1.Pod',
  fields: { kind: 'string', apiVersion: 'string', metadata: OBJECT_META, spec: POD_SPEC },
};

export const SECRET_SCHEMA: StructSchema = {
  goType: 'v1.Secret',
  fields: {
    kind: 'string',
    apiVersion: 'string',
    metadata: OBJECT_META,
    immutable: 'bool',
    data: { map: 'bytes', goType: 'map[string][]uint8' },
    stringData: STRING_MAP,
    type: 'string',
  },
};

const LOCAL_OBJECT_REFERENCE: StructSchema = { goType: 'v1.LocalObjectReference', fields: { name: 'string' } };

const OBJECT_REFERENCE: StructSchema = {
  goType: 'v1.ObjectReference',
  fields: { kind: 'string', namespace: 'string', name: 'string', uid: 'string', apiVersion: 'string', resourceVersion: 'string', fieldPath: 'string' },
};

export const SERVICE_ACCOUNT_SCHEMA: StructSchema = {
  goType: 'v1.ServiceAccount',
  fields: {
    kind: 'string',
    apiVersion: 'string',
    metadata: OBJECT_META,
    secrets: { list: OBJECT_REFERENCE, goType: '[]v1.ObjectReference' },
    imagePullSecrets: { list: LOCAL_OBJECT_REFERENCE, goType: '[]v1.LocalObjectReference' },
    automountServiceAccountToken: 'bool',
  },
};

export const NAMESPACE_SCHEMA: StructSchema = {
  goType: 'v1.Namespace',
  fields: {
    kind: 'string',
    apiVersion: 'string',
    metadata: OBJECT_META,
    spec: { goType: 'v1.NamespaceSpec', fields: { finalizers: STRING_LIST } },
  },
};

export const DELETE_OPTIONS_SCHEMA: StructSchema = {
  goType: 'v1.DeleteOptions',
  fields: {
    kind: 'string',
    apiVersion: 'string',
    gracePeriodSeconds: 'int64',
    propagationPolicy: 'string',
    orphanDependents: 'bool',
    dryRun: STRING_LIST,
    preconditions: { goType: 'v1.Preconditions', fields: { uid: 'string', resourceVersion: 'string' } },
  },
};

export const SELF_SUBJECT_ACCESS_REVIEW_SCHEMA: StructSchema = {
  goType: 'v1.SelfSubjectAccessReview',
  fields: {
    kind: 'string',
    apiVersion: 'string',
    metadata: OBJECT_META,
    spec: {
      goType: 'v1.SelfSubjectAccessReviewSpec',
      fields: {
        resourceAttributes: {
          goType: 'v1.ResourceAttributes',
          fields: {
            namespace: 'string', verb: 'string', group: 'string', version: 'string', resource: 'string', subresource: 'string', name: 'string',
          },
        },
        nonResourceAttributes: { goType: 'v1.NonResourceAttributes', fields: { path: 'string', verb: 'string' } },
      },
    },
  },
};
