// Label selectors (k8s.io/apimachinery/pkg/labels) and field selectors
// (k8s.io/apimachinery/pkg/fields) for list and watch, with the fields each kind supports.
import type { ObjectKind } from '../contract';
import type { JsonObject } from './decode/decode';
import { labelValueErrors, qualifiedNameErrors } from './validation/names';
import { badRequest } from './status';

export type Selector = (object: JsonObject) => boolean;

interface LabelRequirement {
  key: string;
  operator: 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin';
  values: string[];
}

const REQUIREMENT = /^\s*(!)?\s*([^\s!=<>(),]+)(?:\s*(==|=|!=)\s*([^\s,()]*)|\s+(in|notin)\s*\(([^)]*)\))?\s*$/;

/** Parses a label selector such as `app=web,tier!=db,env in (a,b),!legacy`. */
export function parseLabelSelector(text: string): Selector {
  const requirements = splitRequirements(text).map(parseRequirement);
  return (object) => {
    const labels = ((object.metadata as JsonObject | undefined)?.labels ?? {}) as Record<string, string>;
    return requirements.every((requirement) => matchesRequirement(labels, requirement));
  };
}

/** Splits at commas outside parentheses. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  parts.push(current);
  return parts.filter((part) => part.trim() !== '');
}

function parseRequirement(text: string): LabelRequirement {
  const match = REQUIREMENT.exec(text);
  // NOTE: the API server's parser words syntax errors per token; this message is simpler.
  if (!match) throw badRequest(`unable to parse requirement: found '${text.trim()}', expected: identifier`);
  const [, negation, key, equality, value, setOperator, setValues] = match;
  let requirement: LabelRequirement;
  if (negation) {
    if (equality || setOperator) throw badRequest(`unable to parse requirement: found '${text.trim()}', expected: identifier after '!'`);
    requirement = { key, operator: '!exists', values: [] };
  } else if (equality) {
    requirement = { key, operator: equality === '!=' ? '!=' : '=', values: [value] };
  } else if (setOperator) {
    requirement = { key, operator: setOperator as 'in' | 'notin', values: setValues.split(',').map((item) => item.trim()) };
  } else {
    requirement = { key, operator: 'exists', values: [] };
  }
  const problems = [...qualifiedNameErrors(key), ...requirement.values.flatMap(labelValueErrors)];
  if (problems.length > 0) throw badRequest(`unable to parse requirement: ${problems.join('; ')}`);
  return requirement;
}

function matchesRequirement(labels: Record<string, string>, requirement: LabelRequirement): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return present;
    case '!exists':
      return !present;
    case '=':
      return present && value === requirement.values[0];
    case '!=':
      return !present || value !== requirement.values[0];
    case 'in':
      return present && requirement.values.includes(value);
    case 'notin':
      return !present || !requirement.values.includes(value);
  }
}

type FieldGetter = (object: JsonObject) => string;

function at(object: JsonObject, ...path: string[]): unknown {
  let current: unknown = object;
  for (const part of path) current = (current as JsonObject | undefined)?.[part];
  return current;
}

const text = (...path: string[]): FieldGetter => (object) => {
  const value = at(object, ...path);
  return value === undefined || value === null ? '' : String(value);
};

const COMMON_FIELDS: Record<string, FieldGetter> = {
  'metadata.name': text('metadata', 'name'),
  'metadata.namespace': text('metadata', 'namespace'),
};

/** Fields each kind can be selected by (the GetAttrs functions of the core registries). */
const SELECTABLE_FIELDS: Record<ObjectKind, Record<string, FieldGetter>> = {
  pods: {
    ...COMMON_FIELDS,
    'spec.nodeName': text('spec', 'nodeName'),
    'spec.restartPolicy': text('spec', 'restartPolicy'),
    'spec.schedulerName': text('spec', 'schedulerName'),
    'spec.serviceAccountName': text('spec', 'serviceAccountName'),
    'spec.hostNetwork': (object) => String(at(object, 'spec', 'hostNetwork') === true),
    'status.phase': text('status', 'phase'),
    'status.podIP': text('status', 'podIP'),
    'status.nominatedNodeName': text('status', 'nominatedNodeName'),
  },
  secrets: { ...COMMON_FIELDS, type: text('type') },
  serviceaccounts: { ...COMMON_FIELDS },
  namespaces: { ...COMMON_FIELDS, 'status.phase': text('status', 'phase') },
  events: {
    ...COMMON_FIELDS,
    'involvedObject.kind': text('involvedObject', 'kind'),
    'involvedObject.namespace': text('involvedObject', 'namespace'),
    'involvedObject.name': text('involvedObject', 'name'),
    'involvedObject.uid': text('involvedObject', 'uid'),
    'involvedObject.apiVersion': text('involvedObject', 'apiVersion'),
    'involvedObject.resourceVersion': text('involvedObject', 'resourceVersion'),
    'involvedObject.fieldPath': text('involvedObject', 'fieldPath'),
    reason: text('reason'),
    reportingComponent: text('reportingComponent'),
    source: text('source', 'component'),
    type: text('type'),
  },
};

/** Parses a field selector such as `metadata.name=x,status.phase!=Running`. */
export function parseFieldSelector(kind: ObjectKind, selectorText: string): Selector {
  const terms = splitUnescaped(selectorText, ',').filter((term) => term !== '');
  const checks = terms.map((term) => parseFieldTerm(kind, term));
  return (object) => checks.every((check) => check(object));
}

function parseFieldTerm(kind: ObjectKind, term: string): Selector {
  const match = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
  if (!match) throw badRequest(`invalid selector: '${term}'; can't understand '${term}'`);
  const [, rawField, operator, rawValue] = match;
  // Old clients send spec.host; the API server reads it as spec.nodeName.
  const field = kind === 'pods' && rawField === 'spec.host' ? 'spec.nodeName' : rawField;
  const getter = SELECTABLE_FIELDS[kind][field];
  if (!getter) throw badRequest(`field label not supported: ${rawField}`);
  const value = rawValue.replace(/\\(.)/g, '$1');
  return operator === '!=' ? (object) => getter(object) !== value : (object) => getter(object) === value;
}

/** Splits at separators not escaped with a backslash. */
function splitUnescaped(input: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i += 1) {
    if (input[i] === '\\' && i + 1 < input.length) {
      current += input[i] + input[i + 1];
      i += 1;
    } else if (input[i] === separator) {
      parts.push(current);
      current = '';
    } else {
      current += input[i];
    }
  }
  parts.push(current);
  return parts;
}

/** Combines the labelSelector and fieldSelector query parameters into one test. */
export function selectorFromQuery(kind: ObjectKind, query: URLSearchParams): Selector {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(kind, query.get('fieldSelector') ?? '');
  return (object) => labels(object) && fields(object);
}
