/**
 * Values one step of a process hands to a later step that may never come
 * in this process (another replica may do it, or a restart): each is taken
 * at most once, and the oldest are dropped past `max`, so what is never
 * taken costs bounded memory. A miss is normal: the later step then does the
 * work itself.
 */
export class Handoff<K, V> {
  private readonly held = new Map<K, V>();

  constructor(private readonly max: number) {}

  put(key: K, value: V): void {
    this.held.delete(key);
    this.held.set(key, value);
    // A Map iterates in insertion order: the first key is the oldest.
    while (this.held.size > this.max) this.held.delete(this.held.keys().next().value as K);
  }

  /** The value put under `key`, removed; undefined when there is none (never put, taken, or dropped). */
  take(key: K): V | undefined {
    const v = this.held.get(key);
    if (v !== undefined) this.held.delete(key);
    return v;
  }

  get size(): number {
    return this.held.size;
  }
}
