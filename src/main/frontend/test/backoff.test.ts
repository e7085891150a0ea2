import { describe, expect, it } from 'vitest';
import { backoffCeiling, fullJitter } from '../src/core';
import { backoffDelay } from '../src/helpers';

describe('backoff', () => {
  it('doubles the window per attempt until the cap', () => {
    const ceilings = Array.from({ length: 8 }, (_, i) => backoffCeiling(i, 1000, 30000));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('stays at the cap for huge attempt counts (no Infinity/NaN)', () => {
    for (const attempt of [31, 100, 1e6, Number.MAX_SAFE_INTEGER]) {
      expect(backoffCeiling(attempt, 1000, 30000)).toBe(30000);
    }
  });

  it('full jitter covers [0, ceiling) and never leaves it', () => {
    expect(backoffDelay(3, 1000, 30000, () => 0)).toBe(0);
    expect(backoffDelay(3, 1000, 30000, () => 0.5)).toBe(4000);
    expect(backoffDelay(3, 1000, 30000, () => 0.999999)).toBe(7999);
    expect(backoffDelay(50, 1000, 30000, () => 0.999999)).toBeLessThan(30000);
  });

  it('clamps a misbehaving random source', () => {
    expect(fullJitter(5000, () => -0.3)).toBe(0);
    expect(fullJitter(5000, () => 1.7)).toBe(5000);
    expect(fullJitter(5000, () => Number.NaN)).toBe(0);
  });

  it('is within bounds for many random draws', () => {
    let seed = 42;
    const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let attempt = 0; attempt < 200; attempt++) {
      const d = backoffDelay(attempt, 500, 20000, lcg);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(backoffCeiling(attempt, 500, 20000));
      expect(d).toBeLessThanOrEqual(20000);
    }
  });
});
