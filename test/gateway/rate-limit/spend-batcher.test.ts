import { describe, expect, it } from 'vitest';
import { createSpendBatcher } from '../../../gateway/rate-limit/spend-batcher.ts';

describe('createSpendBatcher', () => {
  it('should charge the spends of one subject in one turn as one spend of their sum, sharing its verdict', async () => {
    const calls: [string, number][] = [];
    const spend = createSpendBatcher({
      spend: async (subject, cost) => {
        calls.push([subject, cost]);
        return { allowed: cost <= 10, budget: { maximum: 10, remaining: Math.max(0, 10 - cost), restoreRate: 1 } };
      },
    });
    const results = await Promise.all([spend('key:a', 3), spend('key:a', 4), spend('key:b', 20), spend('key:a', 2)]);
    expect(calls).toEqual([
      ['key:a', 9],
      ['key:b', 20],
    ]);
    expect(results.map((r) => r.allowed)).toEqual([true, true, false, true]);
    expect(results[0]).toBe(results[1]);
    // A later turn is a new batch.
    await spend('key:a', 5);
    expect(calls.at(-1)).toEqual(['key:a', 5]);
  });

  it('should reject every spend of a batch whose statement failed', async () => {
    const spend = createSpendBatcher({ spend: async () => Promise.reject(new Error('database down')) });
    const results = await Promise.allSettled([spend('key:a', 1), spend('key:a', 2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
