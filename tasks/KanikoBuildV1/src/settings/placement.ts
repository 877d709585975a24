// The pod's node selector and tolerations, one a line.
import type { V1Toleration } from '@kubernetes/client-node';
import { loc } from '../messages';
import type { Problems } from './problems';

/** A label name: at most 63 characters, alphanumeric at both ends (Kubernetes IsQualifiedName). */
const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A DNS-1123 subdomain, the optional prefix of a label key. */
const LABEL_PREFIX = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const MAX_PREFIX_LENGTH = 253;
/** The taint effects that a toleration may name (core/v1 TaintEffect). */
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Returns whether `key` is a valid label key: `name` or `prefix/name`. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return LABEL_NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= MAX_PREFIX_LENGTH && LABEL_PREFIX.test(prefix) && LABEL_NAME.test(key.slice(slash + 1));
}

/** Returns whether `value` is a valid label value, which may be empty. */
export function isLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME.test(value);
}

/** Parses `KEY=VALUE` lines into a node selector; blank lines and lines that start with `#` are skipped. */
export function parseNodeSelector(text: string, problems: Problems): Record<string, string> | undefined {
  const start = problems.count;
  const selector: Record<string, string> = {};
  for (const { number, line } of meaningfulLines(text)) {
    const separator = line.indexOf('=');
    const key = line.slice(0, separator).trim();
    const value = line.slice(separator + 1).trim();
    if (separator < 0 || !isLabelKey(key) || !isLabelValue(value)) {
      problems.add(loc('NodeSelectorInvalid', number, line));
    } else if (key in selector && selector[key] !== value) {
      problems.add(loc('NodeSelectorConflict', key, selector[key], value));
    } else {
      selector[key] = value;
    }
  }
  return problems.count > start ? undefined : selector;
}

/**
 * Parses tolerations, one a line: `KEY`, `KEY=VALUE`, `KEY:EFFECT` or `KEY=VALUE:EFFECT`.
 * Without a value the toleration matches any value of the key (operator Exists), and without an
 * effect it matches every effect.
 */
export function parseTolerations(text: string, problems: Problems): V1Toleration[] | undefined {
  const start = problems.count;
  const tolerations: V1Toleration[] = [];
  for (const { number, line } of meaningfulLines(text)) {
    const toleration = parseToleration(line);
    if (toleration) tolerations.push(toleration);
    else problems.add(loc('TolerationInvalid', number, line));
  }
  return problems.count > start ? undefined : tolerations;
}

function parseToleration(line: string): V1Toleration | undefined {
  const colon = line.lastIndexOf(':');
  const effect = colon < 0 ? '' : line.slice(colon + 1).trim();
  const selector = colon < 0 ? line : line.slice(0, colon).trim();
  if (colon >= 0 && !EFFECTS.includes(effect)) return undefined;

  const separator = selector.indexOf('=');
  const key = separator < 0 ? selector : selector.slice(0, separator).trim();
  const value = separator < 0 ? undefined : selector.slice(separator + 1).trim();
  if (!isLabelKey(key) || (value !== undefined && !isLabelValue(value))) return undefined;
  return {
    key,
    operator: value === undefined ? 'Exists' : 'Equal',
    ...(value === undefined ? {} : { value }),
    ...(effect ? { effect } : {}),
  };
}

/** Returns the lines that are neither blank nor comments, trimmed, with their 1-based numbers. */
function meaningfulLines(text: string): { number: number; line: string }[] {
  return text.split(/\r?\n/)
    .map((line, index) => ({ number: index + 1, line: line.trim() }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
}
