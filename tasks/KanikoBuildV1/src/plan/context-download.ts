// The init container that downloads the build context with a read-only SAS, for the
// `sasDownload` delivery. kaniko then reads the archive from a volume both containers share.
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';

export const DOWNLOAD_CONTAINER = 'download-context';
/** The name of the variable, and of the context Secret's key, whose value is the SAS URL. */
export const CONTEXT_URL_VARIABLE = 'CONTEXT_URL';
export const WORKSPACE_VOLUME = 'workspace';
export const WORKSPACE_PATH = '/workspace';
const ARCHIVE_PATH = `${WORKSPACE_PATH}/context.tar.gz`;

/** The build context as kaniko reads it after the download. */
export const DOWNLOADED_CONTEXT_URL = `tar://${ARCHIVE_PATH}`;

/**
 * Returns the init container that writes the archive into the shared workspace volume. curl
 * reads the SAS URL from its environment (`--variable %NAME` and `--expand-url`, curl 8.3.0 and
 * later), so the SAS appears in no process's arguments and not in the pod spec.
 */
export function downloadContainer(image: string, contextSecretName: string): V1Container {
  return {
    name: DOWNLOAD_CONTAINER,
    image,
    command: ['curl'],
    // --fail turns an HTTP error, such as 403 for an expired SAS, into exit code 22.
    args: [
      '--fail', '--silent', '--show-error', '--location', '--retry', '3',
      '--output', ARCHIVE_PATH,
      '--variable', `%${CONTEXT_URL_VARIABLE}`, '--expand-url', `{{${CONTEXT_URL_VARIABLE}}}`,
    ],
    env: [{ name: CONTEXT_URL_VARIABLE, valueFrom: { secretKeyRef: { name: contextSecretName, key: CONTEXT_URL_VARIABLE } } }],
    resources: {
      requests: { cpu: '50m', memory: '32Mi' },
      limits: { cpu: '1', memory: '128Mi' },
    },
    volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: WORKSPACE_PATH }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** Returns kaniko's read-only mount of the workspace with the downloaded archive. */
export function workspaceMount(): V1VolumeMount {
  return { name: WORKSPACE_VOLUME, mountPath: WORKSPACE_PATH, readOnly: true };
}

/** Returns the workspace volume that the download container writes and kaniko reads. */
export function workspaceVolume(): V1Volume {
  return { name: WORKSPACE_VOLUME, emptyDir: {} };
}
