/**
 * A small least-recently-used cache. Per-isolate caches keyed by request parameters must be bounded: otherwise a
 * client walking through every allowed value (e.g. all 497 circle sizes) grows the isolate for good.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  /** The value for `key`, made by `make` on a miss; the least recently used entry goes when full. */
  get(key: K, make: () => V): V {
    let value = this.entries.get(key);
    if (value !== undefined) {
      // Re-inserting moves the key to the end of the Map's order: the most recently used.
      this.entries.delete(key);
    } else {
      value = make();
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    }
    this.entries.set(key, value);
    return value;
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }
}
