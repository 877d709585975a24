// The podTemplate input: a partial Pod in YAML that the plan merges into the kaniko pod, for
// pod fields that no input covers. Fields that the task sets itself are rejected here, with the
// input to use instead, so that a template never changes how the task runs and cleans up.
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { loc } from '../messages';
import { isLabelKey, isLabelValue } from './placement';
import type { Problems } from './problems';
import type { PodTemplate } from './types';

const INPUT = 'podTemplate';
/** The name of the container that the template's `spec.containers` entry must have, if any. */
const KANIKO_CONTAINER = 'kaniko';

/** Pod spec fields that the task sets, each with what to do instead. */
const OWNED_SPEC_FIELDS: Record<string, string> = {
  restartPolicy: 'HintTemplateRemove',
  activeDeadlineSeconds: 'HintTemplateBuildTimeout',
  terminationGracePeriodSeconds: 'HintTemplateRemove',
  serviceAccountName: 'HintTemplateServiceAccount',
  serviceAccount: 'HintTemplateServiceAccount',
  automountServiceAccountToken: 'HintTemplateRemove',
  initContainers: 'HintTemplateRemove',
  ephemeralContainers: 'HintTemplateRemove',
};

/** Fields of the kaniko container that the task sets, each with what to do instead. */
const OWNED_CONTAINER_FIELDS: Record<string, string> = {
  image: 'HintTemplateExecutorImage',
  command: 'HintTemplateRemove',
  args: 'HintTemplateRemove',
  stdin: 'HintTemplateRemove',
  stdinOnce: 'HintTemplateRemove',
  tty: 'HintTemplateRemove',
  terminationMessagePath: 'HintTemplateRemove',
  terminationMessagePolicy: 'HintTemplateRemove',
};

/** Resources that inputs set, with the input for each. */
const RESOURCE_INPUTS: Record<string, { requests: string; limits: string }> = {
  cpu: { requests: 'cpuRequest', limits: 'cpuLimit' },
  memory: { requests: 'memoryRequest', limits: 'memoryLimit' },
  'ephemeral-storage': { requests: 'ephemeralStorageRequest', limits: 'ephemeralStorageLimit' },
};

export interface PodTemplateRules {
  /** Label keys and key prefixes (ending in `/`) that the task sets on the pod. */
  ownedLabels: string[];
  /** Annotation key prefixes (ending in `/`) that the task sets. */
  ownedAnnotations: string[];
  /** Names of the pod's own volumes, which are also the names of the kaniko container's mounts. */
  ownedVolumes: string[];
  /** Mount paths of the kaniko container that the task uses. */
  ownedMountPaths: string[];
  /** Environment variables of the kaniko container that the task sets. */
  ownedVariables: string[];
}

/** Parses the template; returns undefined for an empty input, and for an invalid one after adding a problem. */
export function parsePodTemplate(text: string, rules: PodTemplateRules, problems: Problems): PodTemplate | undefined {
  if (text.trim() === '') return undefined;
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    problems.add(loc('PodTemplateInvalid', INPUT, firstLine((error as Error).message)));
    return undefined;
  }
  const start = problems.count;
  const check = new TemplateCheck(rules, problems);
  const template = check.pod(document);
  return problems.count > start ? undefined : template;
}

/** Validates the template one field at a time, adding a problem for each wrong field. */
class TemplateCheck {
  constructor(private readonly rules: PodTemplateRules, private readonly problems: Problems) {}

  pod(document: unknown): PodTemplate {
    const pod = this.object(document, 'the whole template', 'HintTemplateTop');
    if (!pod) return {};
    for (const key of Object.keys(pod)) {
      if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key)) this.reject(key, 'HintTemplateRemove');
    }
    if (pod.apiVersion !== undefined && pod.apiVersion !== 'v1') this.wrong('apiVersion', 'v1', pod.apiVersion);
    if (pod.kind !== undefined && pod.kind !== 'Pod') this.wrong('kind', 'Pod', pod.kind);
    const metadata = pod.metadata === undefined ? {} : this.object(pod.metadata, 'metadata') ?? {};
    for (const key of Object.keys(metadata)) {
      if (key !== 'labels' && key !== 'annotations') this.reject(`metadata.${key}`, 'HintTemplateMetadata');
    }
    const labels = this.labels(metadata.labels);
    const annotations = this.annotations(metadata.annotations);
    const spec = pod.spec === undefined ? {} : this.object(pod.spec, 'spec') ?? {};
    return { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}), ...this.spec(spec) };
  }

  private spec(spec: Record<string, unknown>): Pick<PodTemplate, 'spec' | 'kaniko'> {
    for (const [key, hint] of Object.entries(OWNED_SPEC_FIELDS)) {
      if (key in spec) this.reject(`spec.${key}`, hint);
    }
    const { containers, ...rest } = spec;
    this.checkRoot(rest.securityContext, 'spec.securityContext');
    this.stringMap(rest.nodeSelector, 'spec.nodeSelector', isLabelKey, isLabelValue);
    this.list(rest.tolerations, 'spec.tolerations');
    for (const [position, volume] of (this.list(rest.volumes, 'spec.volumes') ?? []).entries()) {
      const name = this.object(volume, `spec.volumes[${position}]`)?.name;
      if (typeof name === 'string' && this.rules.ownedVolumes.includes(name)) this.reject(`spec.volumes[${position}] ${name}`, 'HintTemplateVolume');
    }
    const kaniko = this.containers(containers);
    return { spec: rest as Partial<V1PodSpec>, ...(kaniko ? { kaniko } : {}) };
  }

  private containers(value: unknown): Partial<V1Container> | undefined {
    if (value === undefined) return undefined;
    const containers = this.list(value, 'spec.containers');
    if (!containers || containers.length === 0) return undefined;
    if (containers.length > 1) {
      this.reject('spec.containers', 'HintTemplateOneContainer');
      return undefined;
    }

    const container = this.object(containers[0], 'spec.containers[0]');
    if (!container) return undefined;
    if (container.name !== undefined && container.name !== KANIKO_CONTAINER) {
      this.reject(`spec.containers[0].name ${String(container.name)}`, 'HintTemplateOneContainer');
      return undefined;
    }

    const fields = { ...container };
    delete fields.name;
    for (const [key, hint] of Object.entries(OWNED_CONTAINER_FIELDS)) {
      if (key in fields) this.reject(`spec.containers[0].${key}`, hint);
    }

    this.resources(fields.resources);
    this.checkRoot(fields.securityContext, 'spec.containers[0].securityContext');
    for (const [position, variable] of (this.list(fields.env, 'spec.containers[0].env') ?? []).entries()) {
      const name = this.object(variable, `spec.containers[0].env[${position}]`)?.name;
      if (typeof name === 'string' && this.rules.ownedVariables.includes(name)) this.reject(`spec.containers[0].env ${name}`, 'HintTemplateRemove');
    }
    for (const [position, mount] of (this.list(fields.volumeMounts, 'spec.containers[0].volumeMounts') ?? []).entries()) {
      const mountPath = this.object(mount, `spec.containers[0].volumeMounts[${position}]`)?.mountPath;
      if (typeof mountPath === 'string' && this.rules.ownedMountPaths.includes(mountPath.replace(/\/+$/, ''))) {
        this.reject(`spec.containers[0].volumeMounts ${mountPath}`, 'HintTemplateVolume');
      }
    }
    return fields as Partial<V1Container>;
  }

  private resources(value: unknown): void {
    if (value === undefined) return;
    const resources = this.object(value, 'spec.containers[0].resources');
    if (!resources) return;
    for (const kind of ['requests', 'limits'] as const) {
      const amounts = resources[kind] === undefined ? {} : this.object(resources[kind], `spec.containers[0].resources.${kind}`) ?? {};
      for (const name of Object.keys(amounts)) {
        const input = RESOURCE_INPUTS[name]?.[kind];
        if (input) this.problems.add(loc('PodTemplateOwned', INPUT, `spec.containers[0].resources.${kind}.${name}`, loc('HintTemplateInput', input)));
      }
    }
  }

  private labels(value: unknown): Record<string, string> | undefined {
    const labels = this.stringMap(value, 'metadata.labels', isLabelKey, isLabelValue);
    for (const key of Object.keys(labels ?? {})) {
      if (this.rules.ownedLabels.some((owned) => (owned.endsWith('/') ? key.startsWith(owned) : key === owned))) {
        this.reject(`metadata.labels.${key}`, 'HintTemplateRemove');
      }
    }
    return labels;
  }

  private annotations(value: unknown): Record<string, string> | undefined {
    const annotations = this.stringMap(value, 'metadata.annotations', isLabelKey, () => true);
    for (const key of Object.keys(annotations ?? {})) {
      if (this.rules.ownedAnnotations.some((prefix) => key.startsWith(prefix))) this.reject(`metadata.annotations.${key}`, 'HintTemplateRemove');
    }
    return annotations;
  }

  /** Checks a map of strings, such as labels; a number or boolean value must be quoted in YAML. */
  private stringMap(
    value: unknown, field: string, validKey: (key: string) => boolean, validValue: (value: string) => boolean,
  ): Record<string, string> | undefined {
    if (value === undefined) return undefined;
    const map = this.object(value, field);
    if (!map) return undefined;
    for (const [key, entry] of Object.entries(map)) {
      if (typeof entry !== 'string') {
        this.problems.add(loc('PodTemplateType', INPUT, `${field}.${key}`, loc('TemplateTypeString'), describe(entry), loc('HintTemplateQuote')));
      } else if (!validKey(key) || !validValue(entry)) {
        this.problems.add(loc('PodTemplateValue', INPUT, `${field}.${key}`, entry));
      }
    }
    return map as Record<string, string>;
  }

  private object(value: unknown, field: string, hintKey = 'HintTemplateMapping'): Record<string, unknown> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.problems.add(loc('PodTemplateType', INPUT, field, loc('TemplateTypeMapping'), describe(value), loc(hintKey)));
    return undefined;
  }

  private list(value: unknown, field: string): unknown[] | undefined {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value;
    this.problems.add(loc('PodTemplateType', INPUT, field, loc('TemplateTypeList'), describe(value), loc('HintTemplateList')));
    return undefined;
  }

  private wrong(field: string, expected: string, found: unknown): void {
    this.problems.add(loc('PodTemplateType', INPUT, field, `'${expected}'`, describe(found), loc('HintTemplateRemove')));
  }

  /** Rejects a security context that makes the container run as another user than root, which kaniko needs. */
  private checkRoot(value: unknown, field: string): void {
    if (typeof value !== 'object' || value === null) return;
    const context = value as { runAsNonRoot?: unknown; runAsUser?: unknown };
    if (context.runAsNonRoot === true) this.problems.add(loc('PodTemplateRunAsNonRoot', `${field}.runAsNonRoot: true`));
    if (typeof context.runAsUser === 'number' && context.runAsUser !== 0) {
      this.problems.add(loc('PodTemplateRunAsNonRoot', `${field}.runAsUser: ${context.runAsUser}`));
    }
  }

  private reject(field: string, hintKey: string): void {
    this.problems.add(loc('PodTemplateOwned', INPUT, field, loc(hintKey)));
  }
}

/** Describes a YAML value for a message: its type, and a short form of a scalar. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return loc('TemplateTypeEmpty');
  if (Array.isArray(value)) return loc('TemplateTypeList');
  if (typeof value === 'object') return loc('TemplateTypeMapping');
  const text = String(value);
  return `${typeof value === 'string' ? loc('TemplateTypeString') : typeof value} '${text.length > 40 ? `${text.slice(0, 40)}...` : text}'`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
