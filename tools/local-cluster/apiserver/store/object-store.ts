// The object store: every object of the cluster by kind, namespace and name, a cluster-wide
// resourceVersion that every write bumps (as etcd's revision does), and one watch history
// per kind. It stores wire-format JSON and returns deep copies only.
import { randomUUID } from 'node:crypto';
import type { ObjectKind } from '../../contract';
import type { JsonObject } from '../decode/decode';
import { type ChangeType, WatchHistory } from './watch-history';

export const KINDS: Record<ObjectKind, { kind: string; namespaced: boolean }> = {
  namespaces: { kind: 'Namespace', namespaced: false },
  secrets: { kind: 'Secret', namespaced: true },
  serviceaccounts: { kind: 'ServiceAccount', namespaced: true },
  pods: { kind: 'Pod', namespaced: true },
  events: { kind: 'Event', namespaced: true },
};

export interface ObjectMetaJson {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  [field: string]: unknown;
}

export function metadataOf(object: JsonObject): ObjectMetaJson {
  return object.metadata as ObjectMetaJson;
}

/** metav1.Time's wire form: RFC 3339 in UTC with whole seconds. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

export class ObjectStore {
  /** Called after every write and removal, such as to schedule the garbage collector. */
  onChange?: (kind: ObjectKind) => void;
  /** Called after each create with a copy of the stored object. */
  readonly createListeners = new Set<(kind: ObjectKind, object: JsonObject) => void>();
  private revision = 1;
  private readonly objects = new Map<ObjectKind, Map<string, JsonObject>>();
  private readonly histories = new Map<ObjectKind, WatchHistory>();

  constructor(historySize: number) {
    for (const kind of Object.keys(KINDS) as ObjectKind[]) {
      this.objects.set(kind, new Map());
      this.histories.set(kind, new WatchHistory(historySize));
    }
  }

  /** Returns the resourceVersion of the newest write. */
  resourceVersion(): number {
    return this.revision;
  }

  history(kind: ObjectKind): WatchHistory {
    return this.histories.get(kind) as WatchHistory;
  }

  get(kind: ObjectKind, namespace: string, name: string): JsonObject | undefined {
    const object = this.bucket(kind).get(storageKey(kind, namespace, name));
    return object ? deepCopy(object) : undefined;
  }

  /** Objects of a kind, in one namespace or all, sorted by namespace and name as etcd keys are. */
  list(kind: ObjectKind, namespace?: string): JsonObject[] {
    const entries = [...this.bucket(kind).entries()].sort(([a], [b]) => compareKeys(a, b));
    return entries
      .map(([, object]) => object)
      .filter((object) => namespace === undefined || metadataOf(object).namespace === namespace)
      .map((object) => deepCopy(object));
  }

  /**
   * Stores a new object, filling uid, resourceVersion and creationTimestamp and dropping
   * deletion fields a client sent, as the generic registry's BeforeCreate does; sends ADDED.
   */
  insert(kind: ObjectKind, object: JsonObject): JsonObject {
    const metadata = metadataOf(object);
    delete metadata.deletionTimestamp;
    delete metadata.deletionGracePeriodSeconds;
    metadata.uid = randomUUID();
    metadata.creationTimestamp = formatTime(new Date());
    const stored = this.write(kind, object, 'ADDED');
    for (const listener of this.createListeners) listener(kind, deepCopy(stored));
    return stored;
  }

  /** Replaces a stored object with a new version; sends MODIFIED. */
  replace(kind: ObjectKind, object: JsonObject): JsonObject {
    return this.write(kind, object, 'MODIFIED');
  }

  /** Removes an object; sends DELETED carrying the deletion's resourceVersion. */
  remove(kind: ObjectKind, namespace: string, name: string): JsonObject | undefined {
    const key = storageKey(kind, namespace, name);
    const existing = this.bucket(kind).get(key);
    if (!existing) return undefined;
    this.bucket(kind).delete(key);
    this.revision += 1;
    const removed = deepCopy(existing);
    metadataOf(removed).resourceVersion = String(this.revision);
    this.history(kind).record({ type: 'DELETED', resourceVersion: this.revision, object: deepCopy(removed) });
    this.onChange?.(kind);
    return removed;
  }

  private write(kind: ObjectKind, object: JsonObject, type: ChangeType): JsonObject {
    const metadata = metadataOf(object);
    const key = storageKey(kind, metadata.namespace ?? '', metadata.name);
    const previous = this.bucket(kind).get(key);
    this.revision += 1;
    metadata.resourceVersion = String(this.revision);
    const stored = { kind: KINDS[kind].kind, apiVersion: 'v1', ...deepCopy(object) };
    this.bucket(kind).set(key, stored);
    this.history(kind).record({ type, resourceVersion: this.revision, object: deepCopy(stored), previous: previous && deepCopy(previous) });
    this.onChange?.(kind);
    return deepCopy(stored);
  }

  private bucket(kind: ObjectKind): Map<string, JsonObject> {
    return this.objects.get(kind) as Map<string, JsonObject>;
  }
}

/** Orders keys by UTF-16 code units, close to etcd's byte order for the ASCII names Kubernetes allows. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function storageKey(kind: ObjectKind, namespace: string, name: string): string {
  return KINDS[kind].namespaced ? `${namespace}/${name}` : name;
}
