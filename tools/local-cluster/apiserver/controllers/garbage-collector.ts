// The garbage collector of kube-controller-manager, reduced to the kinds this server stores. A
// namespaced object is deleted, with background propagation, when all its owner references
// point to owners that no longer exist: no object of that kind and name, or one with another
// uid. An object that still has a live owner only loses its references to absent owners.
// After attemptToDeleteItem in pkg/controller/garbagecollector/garbagecollector.go.
import type { ObjectKind } from '../../contract';
import type { JsonObject } from '../decode/decode';
import { deletePod } from '../registry/pods';
import type { ClusterState } from '../store/cluster-state';
import { KINDS, metadataOf } from '../store/object-store';
import { apiVersionParts } from '../validation/owner-references';

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

type OwnerState = 'present' | 'absent' | 'unknown';

const DEPENDENT_KINDS: ObjectKind[] = ['pods', 'secrets', 'serviceaccounts', 'events'];
const KIND_BY_NAME = new Map(Object.entries(KINDS).map(([kind, info]) => [info.kind, kind as ObjectKind]));

export class GarbageCollector {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `delayMs` is the time between a change and the sweep it causes, as the controller's queue takes. */
  constructor(private readonly state: ClusterState, private readonly delayMs: number) {}

  /** Schedules a sweep after a change; changes during the wait share it. */
  schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
    }, this.delayMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * Removes references to the owner `uid` from every object, as the collector does for an owner
   * deleted with propagationPolicy Orphan before the owner goes.
   */
  orphanDependents(uid: string): void {
    for (const kind of DEPENDENT_KINDS) {
      for (const object of this.state.objects.list(kind)) {
        const metadata = metadataOf(object);
        const references = (metadata.ownerReferences ?? []) as OwnerReference[];
        if (!references.some((reference) => reference.uid === uid)) continue;
        metadata.ownerReferences = references.filter((reference) => reference.uid !== uid);
        this.state.objects.replace(kind, object);
      }
    }
  }

  /** Deletes every dependent whose owners are all gone, and drops references to gone owners. */
  sweep(): void {
    for (const kind of DEPENDENT_KINDS) {
      for (const object of this.state.objects.list(kind)) this.collect(kind, object);
    }
  }

  private collect(kind: ObjectKind, object: JsonObject): void {
    const metadata = metadataOf(object);
    const references = (metadata.ownerReferences ?? []) as OwnerReference[];
    if (references.length === 0 || metadata.deletionTimestamp) return;
    const states = references.map((reference) => this.ownerState(reference, metadata.namespace ?? ''));
    // An owner of a kind this server does not know cannot be checked. The real collector keeps
    // such an object and retries, so it stays here too.
    if (states.includes('unknown')) return;
    if (states.every((state) => state === 'absent')) {
      this.delete(kind, metadata.namespace ?? '', metadata.name);
    } else if (states.includes('absent')) {
      metadata.ownerReferences = references.filter((_, position) => states[position] === 'present');
      this.state.objects.replace(kind, object);
    }
  }

  private ownerState(reference: OwnerReference, namespace: string): OwnerState {
    const version = apiVersionParts(reference.apiVersion);
    const kind = version?.group === '' && version.version === 'v1' ? KIND_BY_NAME.get(reference.kind) : undefined;
    if (!kind) return 'unknown';
    const owner = this.state.objects.get(kind, KINDS[kind].namespaced ? namespace : '', reference.name);
    return owner && metadataOf(owner).uid === reference.uid ? 'present' : 'absent';
  }

  private delete(kind: ObjectKind, namespace: string, name: string): void {
    if (kind === 'pods') deletePod(this.state, namespace, name, {});
    else this.state.objects.remove(kind, namespace, name);
  }
}
