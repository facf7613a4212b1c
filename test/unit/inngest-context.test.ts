import { NonRetriableError, RetryAfterError } from 'inngest';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/errors';
import { inngestUrgencySeconds } from '../../src/generation/engines/inngest/events';
import { type InngestStepTools, inngestContext } from '../../src/generation/engines/inngest/inngest-context';
import { BOOKKEEPING } from '../../src/generation/generate-song';
import { occasionPriority } from '../../src/generation/priority';

/** Step tools that run a step's body once and hand back what it threw: what Inngest's executor sees. */
const runOnce: InngestStepTools = {
  run: (_id, fn) => fn(),
  sleep: async () => {},
  invoke: async () => 'complete',
};
const failing = (err: unknown) => () => Promise.reject(err);
async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the step to throw');
}

describe('Inngest binding: our retry policies in Inngest’s vocabulary', () => {
  it('a step without a policy runs once: its error is NonRetriableError, with the cause kept', async () => {
    const cause = new Error('boom');
    const err = await thrown(inngestContext(runOnce, 0, 'order:x').step('generation-policy', failing(cause)));
    expect(err).toBeInstanceOf(NonRetriableError);
    expect((err as NonRetriableError).cause).toBe(cause);
  });

  it('a bookkeeping step retries on its own budget: RetryAfterError with its backoff, then NonRetriableError once its 20 attempts are spent', async () => {
    const step = (attempt: number) => thrown(inngestContext(runOnce, attempt, 'order:x').step('load-order', failing(new Error('db down')), BOOKKEEPING));
    const first = await step(0);
    expect(first).toBeInstanceOf(RetryAfterError);
    expect((first as RetryAfterError).retryAfter).toBe('1'); // 500 ms, in Inngest's whole seconds
    expect(((await step(4)) as RetryAfterError).retryAfter).toBe('8'); // 0.5 s · 2^4
    expect(((await step(18)) as RetryAfterError).retryAfter).toBe('3600'); // capped at 1 h, as DBOS caps it
    expect(await step(19)).toBeInstanceOf(NonRetriableError); // the 20th attempt was the last
  });

  it('a permanent error (shouldRetry says no) is NonRetriableError at once; a 429 with Retry-After waits as told', async () => {
    const policy = { ...BOOKKEEPING, shouldRetry: (e: unknown) => !(e instanceof TypeError) };
    const ctx = inngestContext(runOnce, 0, 'order:x');
    expect(await thrown(ctx.step('s', failing(new TypeError('bad')), policy))).toBeInstanceOf(NonRetriableError);
    const limited = await thrown(ctx.step('s', failing(new RateLimitedError('slow down', 7000)), policy));
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfter).toBe('7');
  });

  it('a step that succeeds returns its value, and the run id is the engine-neutral workflow id', async () => {
    const ctx = inngestContext(runOnce, 0, 'order:abc:variant:2');
    expect(await ctx.step('s', async () => 42)).toBe(42);
    expect(ctx.workflowId()).toBe('order:abc:variant:2');
  });
});

describe('Inngest priority window', () => {
  const now = Date.UTC(2026, 10, 29, 12);
  it('maps days to the occasion onto ±600 s: today or past first, 30 days neutral, 60+ days last', () => {
    expect(inngestUrgencySeconds(occasionPriority('2026-11-29', 0), now)).toBe(600);
    expect(inngestUrgencySeconds(occasionPriority('2026-11-01', 5), now)).toBe(600);
    expect(inngestUrgencySeconds(occasionPriority('2026-12-29', 0), now)).toBe(0);
    expect(inngestUrgencySeconds(occasionPriority('2027-01-28', 0), now)).toBe(-600);
    expect(inngestUrgencySeconds(occasionPriority('2027-06-01', 0), now)).toBe(-600);
  });
  it('keeps the earliest-deadline order within the window', () => {
    const days = ['2026-12-01', '2026-12-05', '2026-12-20', '2027-01-10'];
    const seconds = days.map((d) => inngestUrgencySeconds(occasionPriority(d, 0), now));
    expect([...seconds].sort((a, b) => b - a)).toEqual(seconds);
    expect(new Set(seconds).size).toBe(days.length);
  });
});
