import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/runtime/lru';

describe('LruCache', () => {
  it('makes each value once while cached, holds at most `capacity`, and evicts the least recently used', () => {
    const made: number[] = [];
    const cache = new LruCache<number, string>(3);
    const get = (k: number) => cache.get(k, () => (made.push(k), `v${k}`));
    expect([get(1), get(2), get(3), get(1)]).toEqual(['v1', 'v2', 'v3', 'v1']);
    expect(made).toEqual([1, 2, 3]);
    get(4); // full: 2 is the least recently used (1 was used after it)
    expect(cache.size).toBe(3);
    get(1);
    get(3);
    expect(made).toEqual([1, 2, 3, 4]);
    get(2);
    expect(made).toEqual([1, 2, 3, 4, 2]);
    expect(cache.size).toBe(3);
  });

  it('stays bounded over a walk through every key', () => {
    const cache = new LruCache<number, Uint8Array>(32);
    for (let size = 16; size <= 512; size++) cache.get(size, () => new Uint8Array(size));
    expect(cache.size).toBe(32);
  });
});
