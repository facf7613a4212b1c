import { describe, expect, it } from 'vitest';
import { occasionPriority } from '../../src/generation/priority';

describe('occasionPriority (lower is served first)', () => {
  it('orders by occasion date, a past date before today and any future date, whatever the clock', () => {
    const past = occasionPriority('2026-11-01', 0);
    const today = occasionPriority('2026-11-29', 0);
    const tomorrow = occasionPriority('2026-11-30', 0);
    const nextMonth = occasionPriority('2026-12-30', 0);
    expect([past, today, tomorrow, nextMonth]).toEqual([...[past, today, tomorrow, nextMonth]].sort((a, b) => a - b));
    expect(new Set([past, today, tomorrow, nextMonth]).size).toBe(4);
  });

  it('breaks ties on the same date by payment rank, and never lets a rank reach the next day', () => {
    expect(occasionPriority('2026-12-24', 0)).toBeLessThan(occasionPriority('2026-12-24', 1));
    expect(occasionPriority('2026-12-24', 1_000_000)).toBeLessThan(occasionPriority('2026-12-25', 0));
  });

  it('stays within DBOS priorities (int4, ≥ 0) for any date', () => {
    for (const d of ['1970-01-01', '2000-01-01', '2089-12-31', '2999-12-31']) {
      const p = occasionPriority(d, 70_000);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(2_147_483_647);
    }
    expect(() => occasionPriority('24/12/2026', 0)).toThrow(/YYYY-MM-DD/);
  });
});
