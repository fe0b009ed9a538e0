import type { EcsDocument } from './types';

/** The window that fired: indexes into a {@link KeyWindow}'s arrays. */
export interface FiredWindow {
  first: number;
  last: number;
}

/**
 * The recent matching events of one rule and one group key: their times,
 * sorted, at most `threshold` of them, and the documents of the newest
 * `maxEvents` (older slots hold `undefined`), for the alert to show.
 */
export class KeyWindow {
  readonly times: number[] = [];
  readonly events: Array<EcsDocument | undefined> = [];
  /** Events before this time belong to a window that already alerted. */
  mutedUntil = -Infinity;
  /** The newest event time of this key. */
  lastSeen = -Infinity;
  /** Documents held (slots of `events` that are not `undefined`). */
  stored = 0;

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly maxEvents: number,
  ) {}

  /**
   * Adds an event at its place in time order and returns the window it
   * completes, if `threshold` events now lie within less than `windowMs`.
   */
  insert(time: number, event: EcsDocument): FiredWindow | undefined {
    const { times, events } = this;
    let at = times.length;
    while (at > 0 && times[at - 1] > time) at--;
    // Only the newest `maxEvents` slots keep their document.
    const firstKept = times.length + 1 - this.maxEvents;
    const kept = at >= firstKept;
    if (kept && firstKept >= 1) this.forget(firstKept - 1);
    times.splice(at, 0, time);
    events.splice(at, 0, kept ? event : undefined);
    if (kept) this.stored++;
    if (time > this.lastSeen) this.lastSeen = time;

    const n = times.length;
    for (let first = 0; first + this.threshold <= n; first++) {
      const last = first + this.threshold - 1;
      if (times[last] - times[first] < this.windowMs) return { first, last };
    }
    if (n > this.threshold) {
      this.forget(0);
      times.shift();
      events.shift();
    }
    return undefined;
  }

  /** Drops events at or before `cutoff` (they can join no future window). */
  prune(cutoff: number): void {
    let drop = 0;
    while (drop < this.times.length && this.times[drop] <= cutoff) drop++;
    if (drop > 0) {
      for (let i = 0; i < drop; i++) this.forget(i);
      this.times.splice(0, drop);
      this.events.splice(0, drop);
    }
  }

  /** After an alert: forget the events, mute the rest of the alerted window. */
  reset(mutedUntil: number): void {
    this.times.length = 0;
    this.events.length = 0;
    this.stored = 0;
    this.mutedUntil = mutedUntil;
  }

  /** Empties the window for another key (reuse instead of a new allocation). */
  clear(): void {
    this.reset(-Infinity);
    this.lastSeen = -Infinity;
  }

  private forget(index: number): void {
    if (this.events[index] !== undefined) {
      this.events[index] = undefined;
      this.stored--;
    }
  }
}
