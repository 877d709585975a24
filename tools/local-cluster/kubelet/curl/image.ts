// The curl images that the curl project builds (curl/curl-container, create_base_image.sh and
// create_appliance_image.sh) and publishes as curlimages/curl on Docker Hub and quay.io/curl/curl.
// They are Alpine Linux with curl at /usr/bin/curl, the user curl_user, the working directory
// /home/curl_user, the entrypoint /entrypoint.sh and the command `curl`.
import type { ImageDirectories } from '../container-writes';
import type { ImageReference } from '../executor/reference';
import type { CurlVersion } from './args';

const REPOSITORIES = ['index.docker.io/curlimages/curl', 'quay.io/curl/curl'];

/**
 * curl 8 releases, from the release tags of curl/curl.
 * NOTE: the images also have curl 7 tags, which the emulation does not list.
 */
const RELEASES = [
  '8.0.0', '8.0.1', '8.1.0', '8.1.1', '8.1.2', '8.2.0', '8.2.1', '8.3.0', '8.4.0', '8.5.0', '8.6.0', '8.7.0', '8.7.1',
  '8.8.0', '8.9.0', '8.9.1', '8.10.0', '8.10.1', '8.11.0', '8.11.1', '8.12.0', '8.12.1', '8.13.0', '8.14.0', '8.14.1',
  '8.15.0', '8.16.0', '8.17.0', '8.18.0', '8.19.0', '8.20.0', '8.21.0',
];

/** The working directory of the images. */
export const CURL_WORKING_DIR = '/home/curl_user';

/** Directories of the images that matter for `--output`: curl_user may write only to its home and /tmp. */
export const CURL_IMAGE_DIRECTORIES: ImageDirectories = {
  writable: ['/tmp', CURL_WORKING_DIR],
  readOnly: ['/', '/bin', '/dev', '/etc', '/home', '/lib', '/media', '/mnt', '/opt', '/proc', '/root', '/run', '/sbin',
    '/srv', '/sys', '/usr', '/usr/bin', '/usr/lib', '/usr/local', '/var'],
};

/** Environment of the images (the base image's CURL_CA_BUNDLE and Alpine's PATH), under the pod's own variables. */
export const CURL_IMAGE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  CURL_CA_BUNDLE: '/cacert.pem',
};

/** Size reported for a pulled curl image; an estimate of the real images' size. */
export const CURL_IMAGE_BYTES = 12_582_912;

export type CurlImageLookup = { kind: 'curl'; version?: CurlVersion } | { kind: 'not-found' } | { kind: 'other' };

/** Looks a reference up among the curl images; `other` when it names another repository. */
export function lookUpCurlImage(reference: ImageReference): CurlImageLookup {
  if (!REPOSITORIES.includes(`${reference.registry}/${reference.repository}`)) return { kind: 'other' };
  const explicitTag = /:[^/]+$/.test(reference.original.split('@')[0]);
  if (reference.digest && !explicitTag) return { kind: 'curl' };
  if (reference.tag === 'latest') return { kind: 'curl' };
  if (!RELEASES.includes(reference.tag)) return { kind: 'not-found' };
  const [major, minor, patch] = reference.tag.split('.').map(Number);
  return { kind: 'curl', version: [major, minor, patch] };
}

/** Programs of the images' Alpine base that the entrypoint would run instead of curl. */
const OTHER_PROGRAMS = ['ash', 'busybox', 'cat', 'echo', 'env', 'false', 'ls', 'sh', 'sleep', 'tar', 'test', 'true', 'wget'];

/**
 * Returns curl's arguments for a container of a curl image, or undefined when the container
 * runs another program. Without `command`, /entrypoint.sh runs the arguments, and it puts
 * `curl` in front when the first one starts with `-` or names no program of the image.
 * NOTE: the images run other programs too, such as `sh`; the emulation runs only curl.
 */
export function curlArguments(command: readonly string[], args: readonly string[]): string[] | undefined {
  if (command.length > 0) return isCurl(command[0]) ? [...command.slice(1), ...args] : undefined;
  if (args.length === 0) return [];
  if (isCurl(args[0])) return args.slice(1);
  if (args[0].startsWith('/') || OTHER_PROGRAMS.includes(args[0])) return undefined;
  return [...args];
}

function isCurl(program: string): boolean {
  return program === 'curl' || program === '/usr/bin/curl';
}
