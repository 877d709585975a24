// Image labels: the labels input, and the OCI labels that link the image to its sources
// (the OCI image spec's annotations.md, whose keys images also use as labels).
import { loc } from '../messages';
import { hasControlCharacter } from './control-characters';
import type { Problems } from './problems';
import type { ImageLabel } from './types';

export const OCI_SOURCE_LABEL = 'org.opencontainers.image.source';
export const OCI_REVISION_LABEL = 'org.opencontainers.image.revision';
/** A key without whitespace or `=`, which kaniko splits each `--label` at. */
const LABEL_KEY = /^[^\s=]+$/;

export interface LabelInputs {
  labels: string;
  /** `false` leaves out the OCI labels; anything else adds them. */
  ociLabels: string;
  /** Build.Repository.Uri. */
  repositoryUri: string;
  /** Build.SourceVersion. */
  sourceVersion: string;
}

/**
 * Returns the OCI labels, then the labels input. A label of the input replaces an OCI label with
 * the same key. The OCI labels leave out `org.opencontainers.image.created`, because a time that
 * changes with every build would give every build another image digest.
 */
export function parseLabels(inputs: LabelInputs, problems: Problems): ImageLabel[] | undefined {
  const labels = parseLabelLines(inputs.labels, problems);
  if (!labels) return undefined;
  const keys = new Set(labels.map((label) => label.key));
  const oci = inputs.ociLabels.toLowerCase() === 'false' ? [] : ociLabels(inputs);
  return [...oci.filter((label) => !keys.has(label.key)), ...labels];
}

function parseLabelLines(input: string, problems: Problems): ImageLabel[] | undefined {
  const start = problems.count;
  const labels: ImageLabel[] = [];
  for (const text of input.split(/\r?\n/)) {
    const line = text.trim();
    if (!line || line.startsWith('#')) continue;
    const separator = line.indexOf('=');
    const key = separator < 0 ? line : line.slice(0, separator).trim();
    if (separator < 0 || !LABEL_KEY.test(key) || hasControlCharacter(line)) {
      problems.add(loc('LabelInvalid', key || loc('EmptyName')));
    } else if (labels.some((label) => label.key === key)) {
      problems.add(loc('LabelDuplicate', key));
    } else {
      labels.push({ key, value: line.slice(separator + 1).trim() });
    }
  }
  return problems.count > start ? undefined : labels;
}

function ociLabels(inputs: LabelInputs): ImageLabel[] {
  const labels: ImageLabel[] = [];
  const source = sourceUrl(inputs.repositoryUri);
  if (source) labels.push({ key: OCI_SOURCE_LABEL, value: source });
  if (inputs.sourceVersion) labels.push({ key: OCI_REVISION_LABEL, value: inputs.sourceVersion });
  return labels;
}

/**
 * Returns the repository URL without a user name or password, which Azure Repos URLs carry as
 * `https://ORGANIZATION@dev.azure.com/...`. Returns undefined for anything but an http(s) URL.
 */
function sourceUrl(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.username = '';
  url.password = '';
  return url.toString();
}
