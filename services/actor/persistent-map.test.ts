import { describe, expect, it } from 'vitest';
import { Random } from './clock.js';
import { PersistentMap } from './persistent-map.js';

describe('PersistentMap', () => {
  it('leaves every older version as it was, whichever versions are changed and read, in any order', () => {
    const random = new Random(7);
    const rnd = () => random.next();
    const versions: PersistentMap<number>[] = [PersistentMap.empty()];
    const models: Map<string, number>[] = [new Map()];
    for (let i = 0; i < 3000; i++) {
      const from = Math.floor(rnd() * versions.length);
      const base = versions[from] as PersistentMap<number>;
      const model = new Map(models[from]);
      const key = `k${Math.floor(rnd() * 40)}`;
      let next: PersistentMap<number>;
      if (rnd() < 0.6) {
        next = base.set(key, i);
        model.set(key, i);
      } else {
        next = base.delete(key);
        model.delete(key);
      }
      versions.push(next);
      models.push(model);
      // Read a random older version now and then, which moves the shared Map back to it.
      const probe = Math.floor(rnd() * versions.length);
      expect(new Map(versions[probe]), `version ${probe}`).toEqual(models[probe]);
    }
    versions.forEach((v, i) => {
      expect(v.size).toBe(models[i]?.size);
      for (const [k, value] of models[i] as Map<string, number>) expect(v.get(k)).toBe(value);
    });
  });

  it('reads like a Map: get, has, size, keys, values, entries, forEach', () => {
    const m = PersistentMap.of([
      ['a', 1],
      ['b', 2],
    ]).set('c', 3);
    expect([m.get('a'), m.has('b'), m.has('z'), m.size]).toEqual([1, true, false, 3]);
    expect([...m.keys()]).toEqual(['a', 'b', 'c']);
    expect([...m.values()]).toEqual([1, 2, 3]);
    expect([...m]).toEqual([...m.entries()]);
    const seen: string[] = [];
    m.forEach((v, k) => {
      seen.push(`${k}=${v}`);
    });
    expect(seen).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('iterates a snapshot: reading another version meanwhile does not change what it yields', () => {
    const a = PersistentMap.of([['x', 1]]);
    const b = a.set('y', 2);
    const it = b.keys();
    expect(a.has('y')).toBe(false); // moves the shared Map to a
    expect([...it]).toEqual(['x', 'y']);
  });
});
