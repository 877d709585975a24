// Watch streams of newline-delimited JSON events. Without a resourceVersion (or with "0") a
// watch starts with ADDED for every matching object. With one, it replays the later changes
// from the bounded history, or sends an ERROR event with a 410 Expired Status when they are gone.
// A fault plan can expire a watch at its start or cut its connection later.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectKind } from '../../contract';
import type { JsonObject } from '../decode/decode';
import type { StreamFaults } from '../faults/injector';
import { forbiddenField, type FieldError, required } from '../field-errors';
import { startStream } from '../http';
import { type Selector, selectorFromQuery } from '../selectors';
import { badRequest, expired, invalid, resourceVersionTooLarge } from '../status';
import type { ClusterState } from '../store/cluster-state';
import { KINDS, metadataOf } from '../store/object-store';
import type { ChangeEvent } from '../store/watch-history';

export interface WatchSettings {
  /** Server-side limit for watches that set no timeoutSeconds (kube-apiserver: 30 to 60 minutes). */
  defaultTimeoutSeconds: number;
  /** How often a watch with allowWatchBookmarks=true gets a BOOKMARK (kube-apiserver: about a minute). */
  bookmarkIntervalMs: number;
}

export interface WatchRequest {
  request: IncomingMessage;
  response: ServerResponse;
  state: ClusterState;
  kind: ObjectKind;
  /** Undefined for a watch across all namespaces. */
  namespace?: string;
  /** Set for the deprecated watch of one object by its URL. */
  name?: string;
  query: URLSearchParams;
  settings: WatchSettings;
  streamFaults?: StreamFaults;
}

/** How long a watch for a future resourceVersion waits for the store to reach it. */
const FUTURE_VERSION_WAIT_MS = 3000;

export async function serveWatch(watch: WatchRequest): Promise<void> {
  const { query, state, kind } = watch;
  const selector = watchSelector(watch);
  const timeoutSeconds = parseInteger(query.get('timeoutSeconds')) ?? watch.settings.defaultTimeoutSeconds;
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const sendInitialEvents = checkInitialEventsOptions(query, bookmarks);
  const versionText = query.get('resourceVersion') ?? '';
  const fromVersion = versionText === '' || versionText === '0' ? undefined : parseResourceVersion(versionText);
  if (fromVersion !== undefined) await waitForVersion(state, fromVersion);

  startStream(watch.response, 'application/json');
  const send = (type: string, object: JsonObject): void => {
    // A change can arrive after the timeout ended the stream but before its 'close' unsubscribed it.
    if (watch.response.writableEnded || watch.response.destroyed) return;
    watch.response.write(`${JSON.stringify({ type, object })}\n`);
  };
  if (watch.streamFaults?.expire) {
    expireWatch(watch, fromVersion ?? 0, send);
    return;
  }
  if (fromVersion === undefined) {
    if (sendInitialEvents !== false) {
      for (const object of state.objects.list(kind, watch.namespace).filter(selector)) send('ADDED', object);
    }
    if (sendInitialEvents === true) send('BOOKMARK', bookmarkObject(kind, state, true));
  } else {
    const replay = state.objects.history(kind).since(fromVersion);
    if (replay === 'expired') {
      const oldest = state.objects.history(kind).oldestKept();
      send('ERROR', expired(`too old resource version: ${fromVersion} (${oldest})`).status as unknown as JsonObject);
      watch.response.end();
      return;
    }
    for (const change of replay) forwardChange(change, selector, send);
  }
  followChanges(watch, selector, send, timeoutSeconds, bookmarks);
}

function followChanges(
  watch: WatchRequest,
  selector: Selector,
  send: (type: string, object: JsonObject) => void,
  timeoutSeconds: number,
  bookmarks: boolean,
): void {
  const unsubscribe = watch.state.objects.history(watch.kind).subscribe((change) => forwardChange(change, selector, send));
  const timeout = setTimeout(() => watch.response.end(), timeoutSeconds * 1000);
  const bookmarkTimer = bookmarks
    ? setInterval(() => send('BOOKMARK', bookmarkObject(watch.kind, watch.state, false)), watch.settings.bookmarkIntervalMs)
    : undefined;
  const cutAfterMs = watch.streamFaults?.cutAfterMs;
  const cutTimer = cutAfterMs === undefined ? undefined : setTimeout(() => cutWatch(watch), cutAfterMs);
  const stop = (): void => {
    unsubscribe();
    clearTimeout(timeout);
    clearTimeout(cutTimer);
    clearInterval(bookmarkTimer);
  };
  watch.response.once('close', stop);
  watch.request.once('close', stop);
}

/** Ends a watch as the API server does when etcd compacted the revisions it needs: an ERROR event with 410 Expired. */
function expireWatch(watch: WatchRequest, fromVersion: number, send: (type: string, object: JsonObject) => void): void {
  const current = watch.state.objects.resourceVersion();
  send('ERROR', expired(`too old resource version: ${fromVersion} (${current})`).status as unknown as JsonObject);
  watch.response.end();
  watch.streamFaults?.record('expiredWatches');
}

/** Destroys the watch's connection without the last chunk, as a broken network or a restarted API server does. */
function cutWatch(watch: WatchRequest): void {
  if (watch.response.destroyed || watch.response.writableEnded) return;
  watch.streamFaults?.record('cutWatches');
  watch.response.destroy();
}

/**
 * Sends a change as a filtered watch does: a modified object that starts matching the
 * selectors arrives as ADDED, one that stops matching as DELETED.
 */
function forwardChange(change: ChangeEvent, selector: Selector, send: (type: string, object: JsonObject) => void): void {
  const matchesNow = selector(change.object);
  if (change.type !== 'MODIFIED') {
    if (matchesNow) send(change.type, change.object);
    return;
  }
  const matchedBefore = change.previous ? selector(change.previous) : false;
  if (matchesNow && matchedBefore) send('MODIFIED', change.object);
  else if (matchesNow) send('ADDED', change.object);
  else if (matchedBefore) send('DELETED', change.object);
}

function watchSelector(watch: WatchRequest): Selector {
  const selector = selectorFromQuery(watch.kind, watch.query);
  return (object) => {
    const metadata = metadataOf(object);
    if (watch.namespace !== undefined && KINDS[watch.kind].namespaced && metadata.namespace !== watch.namespace) return false;
    if (watch.name !== undefined && metadata.name !== watch.name) return false;
    return selector(object);
  };
}

function bookmarkObject(kind: ObjectKind, state: ClusterState, initialEventsEnd: boolean): JsonObject {
  const metadata: JsonObject = { resourceVersion: String(state.objects.resourceVersion()) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { kind: KINDS[kind].kind, apiVersion: 'v1', metadata };
}

/** Returns the sendInitialEvents flag (undefined when absent) after checking its companions. */
function checkInitialEventsOptions(query: URLSearchParams, bookmarks: boolean): boolean | undefined {
  const flag = query.get('sendInitialEvents');
  if (flag === null) return undefined;
  const errors: FieldError[] = [];
  if (query.get('resourceVersionMatch') !== 'NotOlderThan') {
    errors.push(forbiddenField('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (flag === 'true' && !bookmarks) errors.push(required('allowWatchBookmarks', 'sendInitialEvents requires setting allowWatchBookmarks to true'));
  if (errors.length > 0) throw invalid('ListOptions.meta.k8s.io', '', errors);
  return flag === 'true';
}

/** Parses an integer query parameter; 400 with Go's strconv message when it is not one. */
export function parseInteger(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

function parseResourceVersion(text: string): number {
  // NOTE: the message is close to, not exactly, the API server's for a malformed resourceVersion.
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version: strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

/** Waits up to 3 seconds for the store to reach a future resourceVersion, then fails with 504 as Kubernetes does. */
async function waitForVersion(state: ClusterState, version: number): Promise<void> {
  const deadline = Date.now() + FUTURE_VERSION_WAIT_MS;
  while (state.objects.resourceVersion() < version) {
    if (Date.now() >= deadline) throw resourceVersionTooLarge(version, state.objects.resourceVersion());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
