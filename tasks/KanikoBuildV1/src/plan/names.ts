// Names and labels of what a run creates. Names are unique per run, so parallel jobs that
// build in one namespace never collide, and valid as DNS-1123 labels.

/** Label key prefix for everything the task creates. */
export const LABEL_PREFIX = 'kaniko-build-on-aks';
/** Label whose value names the run; cleanup finds a run's objects by it. */
export const RUN_LABEL = `${LABEL_PREFIX}/run`;
/** Label whose value is the pipeline job's System.JobId; the post-job step finds a killed run's objects by it. */
export const JOB_LABEL = `${LABEL_PREFIX}/job-id`;
/**
 * Metadata name of the context blob whose value is the job's System.JobId, for the post-job
 * step. Blob metadata names are C# identifiers, so no dashes.
 */
export const BLOB_JOB_METADATA = 'kanikobuildjobid';
/**
 * Metadata name of a kept context blob whose value is the days to keep it after its last use.
 * Later runs delete only blobs that carry it, so other blobs in the container are left alone.
 */
export const BLOB_RETENTION_METADATA = 'kanikobuildretentiondays';
/** Folder of the kept context blobs, each named by the SHA-256 of its uncompressed tar. */
export const KEPT_CONTEXT_PREFIX = 'sha256/';

/** Returns the blob name of a kept context archive whose tar has the SHA-256 `sha256` (hex). */
export function keptContextBlobName(sha256: string): string {
  return `${KEPT_CONTEXT_PREFIX}${sha256}.tar.gz`;
}

/** Returns whether `blobName` names a kept context archive, which runs leave for reruns on purpose. */
export function isKeptContextBlob(blobName: string): boolean {
  return /^sha256\/[0-9a-f]{64}\.tar\.gz$/.test(blobName);
}

const MAX_BUILD_ID_LENGTH = 20;
/** The maximum length of a label value, which is also the maximum length of a namespace name (a DNS-1123 label). */
const MAX_LABEL_VALUE_LENGTH = 63;

/**
 * Returns the run's base name, `kaniko-<build id>-<suffix>`. `uniqueSuffix` is random
 * lower-case hex from the caller; the result has at most 36 characters, so derived Secret
 * names stay short.
 */
export function runName(buildId: string, uniqueSuffix: string): string {
  const id = buildId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, MAX_BUILD_ID_LENGTH);
  return ['kaniko', id.replace(/-+$/, ''), uniqueSuffix].filter(Boolean).join('-');
}

/**
 * Returns the name of a namespace that the run creates: `prefix-<suffix>`, with the prefix cut
 * so that the name stays a DNS-1123 label of at most 63 characters.
 */
export function namespaceName(prefix: string, uniqueSuffix: string): string {
  const room = MAX_LABEL_VALUE_LENGTH - uniqueSuffix.length - 1;
  return `${prefix.slice(0, room).replace(/-+$/, '')}-${uniqueSuffix}`;
}

/** Returns the label selector of the objects that runs of job `jobId` create, or undefined without a job id. */
export function jobSelector(jobId: string): string | undefined {
  const value = labelValue(jobId);
  return value ? `${JOB_LABEL}=${value}` : undefined;
}

/** Makes `text` a valid label value: at most 63 characters of `[A-Za-z0-9_.-]`, alphanumeric at both ends. */
export function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, MAX_LABEL_VALUE_LENGTH)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
