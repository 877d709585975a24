// The bounded history of changes to one resource, which watches replay from a
// resourceVersion, and the live subscribers that receive new changes.
import type { JsonObject } from '../decode/decode';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  type: ChangeType;
  resourceVersion: number;
  /** The object after the change (for DELETED, its last state), with kind and apiVersion. */
  object: JsonObject;
  /** The object before a MODIFIED change, so filtered watches can tell it left the filter. */
  previous?: JsonObject;
}

export type ChangeSubscriber = (event: ChangeEvent) => void;

export class WatchHistory {
  private readonly events: ChangeEvent[] = [];
  private readonly subscribers = new Set<ChangeSubscriber>();
  /** The resourceVersion of the newest change that fell out of the history; 0 while none has. */
  private evictedThrough = 0;

  constructor(private readonly capacity: number) {}

  record(event: ChangeEvent): void {
    this.events.push(event);
    if (this.events.length > this.capacity) {
      const evicted = this.events.shift();
      if (evicted) this.evictedThrough = evicted.resourceVersion;
    }
    for (const subscriber of [...this.subscribers]) subscriber(event);
  }

  /**
   * Returns the changes after `resourceVersion`, or `expired` when some of them already fell
   * out of the history (the client must list again).
   */
  since(resourceVersion: number): ChangeEvent[] | 'expired' {
    if (resourceVersion < this.evictedThrough) return 'expired';
    return this.events.filter((event) => event.resourceVersion > resourceVersion);
  }

  /** Returns the resourceVersion that `too old resource version` messages name as the oldest kept. */
  oldestKept(): number {
    return this.evictedThrough;
  }

  /** Adds a subscriber for new changes; returns the function that removes it. */
  subscribe(subscriber: ChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }
}
