/**
 * Small LRU set of event ids. Events can arrive twice (resume replay overlapping
 * with live delivery, or at-least-once pub/sub); remembering the most recent ids
 * is enough to drop those duplicates without growing without bound.
 */
export class SeenIds {
  readonly #ids = new Set<string>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Records `id`; returns false if it had been seen already. */
  add(id: string): boolean {
    if (this.#ids.has(id)) {
      // Refresh recency: a duplicate is likely to be followed by more of the same.
      this.#ids.delete(id);
      this.#ids.add(id);
      return false;
    }
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) {
      // Sets iterate in insertion order, so the first entry is the least recent.
      const oldest = this.#ids.values().next().value as string;
      this.#ids.delete(oldest);
    }
    return true;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  get size(): number {
    return this.#ids.size;
  }
}
