/**
 * A map whose `set` and `delete` return a new map and leave the old one as it was, for the pure
 * cores' states (a decision returns a new state; the old one must still read the same).
 *
 * Copying a Map on every change cost the blade a third of its CPU per I/O: the CSV and MPIO
 * cores each copy their map of I/Os in flight twice per I/O, 32 entries or more under load
 * (issue 19: 16.8 µs per I/O in the two cores, three quarters of it copies and their garbage).
 * Here every version shares one Map (Baker's "shallow binding", as persistent arrays do it): the
 * newest version holds it, each older one holds the one change that tells it apart from the
 * version after it. A change or a read of the newest version costs what a Map's does; reading an
 * older version first walks the changes back to it (and the newest then walks forward), so a
 * state read long after many changes costs as many steps as there were changes since.
 *
 * Pure: no builtin, no clock; cores may use it.
 */

interface Cell<V> {
  /** The shared Map, while this version holds it. */
  map: Map<string, V> | null;
  /** Otherwise: this version is `next` with `key` set to `value` (or absent when `had` is false). */
  key: string;
  had: boolean;
  value: V | undefined;
  next: Cell<V> | null;
}

export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private constructor(private readonly cell: Cell<V>) {}

  static empty<V>(): PersistentMap<V> {
    return PersistentMap.of<V>([]);
  }

  static of<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    return new PersistentMap({ map: new Map(entries), key: '', had: false, value: undefined, next: null });
  }

  /** A version with `key` set to `value`; this one is unchanged. */
  set(key: string, value: V): PersistentMap<V> {
    const map = this.own();
    const had = map.has(key);
    const old = map.get(key);
    map.set(key, value);
    return this.moveTo(map, key, had, old);
  }

  /** A version without `key`; this one is unchanged. */
  delete(key: string): PersistentMap<V> {
    const map = this.own();
    if (!map.has(key)) return this;
    const old = map.get(key);
    map.delete(key);
    return this.moveTo(map, key, true, old);
  }

  get(key: string): V | undefined {
    return this.own().get(key);
  }

  has(key: string): boolean {
    return this.own().has(key);
  }

  get size(): number {
    return this.own().size;
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  /** Iterators over a snapshot: another version read meanwhile would move the shared Map. */
  entries(): MapIterator<[string, V]> {
    return [...this.own().entries()][Symbol.iterator]();
  }

  keys(): MapIterator<string> {
    return [...this.own().keys()][Symbol.iterator]();
  }

  values(): MapIterator<V> {
    return [...this.own().values()][Symbol.iterator]();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'PersistentMap';
  }

  /** The new version takes the Map; this one keeps the change that undoes `key`'s. */
  private moveTo(map: Map<string, V>, key: string, had: boolean, old: V | undefined): PersistentMap<V> {
    const next: Cell<V> = { map, key: '', had: false, value: undefined, next: null };
    const c = this.cell;
    c.map = null;
    c.key = key;
    c.had = had;
    c.value = old;
    c.next = next;
    return new PersistentMap(next);
  }

  /** The shared Map as this version sees it: walks the changes from the version holding it. */
  private own(): Map<string, V> {
    const c = this.cell;
    if (c.map) return c.map;
    const path: Cell<V>[] = [];
    let at: Cell<V> = c;
    while (!at.map) {
      path.push(at);
      at = at.next as Cell<V>;
    }
    const map = at.map;
    // From the holder back to this version, each step undoes one change and reverses the link.
    for (let i = path.length - 1; i >= 0; i--) {
      const step = path[i] as Cell<V>;
      const holder = step.next as Cell<V>;
      const had = map.has(step.key);
      const value = map.get(step.key);
      if (step.had) map.set(step.key, step.value as V);
      else map.delete(step.key);
      holder.map = null;
      holder.key = step.key;
      holder.had = had;
      holder.value = value;
      holder.next = step;
      step.map = map;
      step.next = null;
    }
    return map;
  }
}
