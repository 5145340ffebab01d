import { describe, expect, it } from 'vitest';
import { createApqCache, createApqCredits } from '../../../gateway/http/apq.ts';

describe('APQ cache', () => {
  it('should keep each organization to its own entries, evicting its least recently used', () => {
    const cache = createApqCache({ entriesPerOrganization: 2 });
    cache.set('a', 'h1', 'q1');
    cache.set('a', 'h2', 'q2');
    cache.set('b', 'h1', 'other');
    expect(cache.get('a', 'h1')).toBe('q1'); // h2 is now the least recently used of a
    cache.set('a', 'h3', 'q3');
    expect(cache.get('a', 'h2')).toBeNull();
    expect(cache.get('a', 'h1')).toBe('q1');
    expect(cache.get('a', 'h3')).toBe('q3');
    // Another organization's entries are neither seen nor evicted.
    expect(cache.get('b', 'h1')).toBe('other');
    expect(cache.get('b', 'h3')).toBeNull();
    expect(cache.size().entries).toBe(3);
  });

  it('should hold at most maxBytes over all organizations, the least recently used going first', () => {
    const cache = createApqCache({ entriesPerOrganization: 100, maxBytes: 2 * 10 * 3 });
    cache.set('a', 'h1', 'x'.repeat(10));
    cache.set('b', 'h1', 'y'.repeat(10));
    cache.set('a', 'h2', 'z'.repeat(10));
    expect(cache.get('a', 'h1')).not.toBeNull();
    cache.set('c', 'h1', 'w'.repeat(10));
    expect(cache.get('b', 'h1')).toBeNull();
    expect(cache.size()).toEqual({ entries: 3, bytes: 60 });
    // A document larger than the whole cache is not kept.
    cache.set('a', 'big', 'v'.repeat(31));
    expect(cache.get('a', 'big')).toBeNull();
    expect(cache.size().entries).toBe(3);
  });

  it('should register nothing with a size of 0', () => {
    const cache = createApqCache({ entriesPerOrganization: 0 });
    cache.set('a', 'h1', 'q1');
    expect(cache.get('a', 'h1')).toBeNull();
  });
});

describe('APQ credits', () => {
  it('should give one registration per counted miss, of the same subject and hash, within the TTL', () => {
    let t = 0;
    const credits = createApqCredits({ ttlMs: 1_000, now: () => t });
    credits.grant('key:1', 'h');
    expect(credits.take('key:2', 'h')).toBe(false);
    expect(credits.take('key:1', 'other')).toBe(false);
    expect(credits.take('key:1', 'h')).toBe(true);
    expect(credits.take('key:1', 'h')).toBe(false);
    credits.grant('key:1', 'h');
    t = 1_001;
    expect(credits.take('key:1', 'h')).toBe(false);
  });
});
