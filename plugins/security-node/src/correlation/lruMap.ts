interface Entry<V> {
  key: string;
  value: V;
  older?: Entry<V>;
  newer?: Entry<V>;
}

/**
 * A map that knows its least recently used entry: a `Map` for lookup and a
 * doubly linked list for recency, all O(1). (Evicting by iterating a `Map`
 * from its start is not O(1) in V8: deleted slots at the front are skipped
 * one by one until the table is rehashed.)
 */
export class LruMap<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private oldestEntry?: Entry<V>;
  private newestEntry?: Entry<V>;

  get size(): number {
    return this.entries.size;
  }

  /** The value, marked as the most recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.unlink(entry);
    this.link(entry);
    return entry.value;
  }

  /** Adds a key that is not in the map, as the most recently used. */
  add(key: string, value: V): void {
    const entry: Entry<V> = { key, value };
    this.entries.set(key, entry);
    this.link(entry);
  }

  /** The least recently used entry, without touching it. */
  oldest(): { key: string; value: V } | undefined {
    return this.oldestEntry;
  }

  /**
   * Renames the least recently used entry to `key` (not in the map) and
   * makes it the most recently used; returns its value for the caller to
   * reuse (no allocation when a full map turns over).
   */
  recycleOldest(key: string): V | undefined {
    const entry = this.oldestEntry;
    if (!entry) return undefined;
    this.entries.delete(entry.key);
    this.unlink(entry);
    entry.key = key;
    this.entries.set(key, entry);
    this.link(entry);
    return entry.value;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.unlink(entry);
  }

  private link(entry: Entry<V>): void {
    entry.older = this.newestEntry;
    entry.newer = undefined;
    if (this.newestEntry) this.newestEntry.newer = entry;
    else this.oldestEntry = entry;
    this.newestEntry = entry;
  }

  private unlink(entry: Entry<V>): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldestEntry = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newestEntry = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }
}
