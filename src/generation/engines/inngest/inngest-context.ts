import { NonRetriableError, RetryAfterError } from 'inngest';
import { RateLimitedError } from '../../../errors';
import type { DurableContext, VariantOutcome, VariantTask } from '../../durable-context';
import { inngestUrgencySeconds, type VariantTaskData } from './events';

/** The longest wait between two attempts of a step, ms: DBOS's cap (`maxRetryIntervalSec` = 1 h), kept alike. */
const MAX_RETRY_INTERVAL_MS = 3_600_000;

/** The parts of an Inngest handler's context the binding uses (`{ step, attempt }`). */
export interface InngestStepTools {
  run<T>(id: string, fn: () => Promise<T>): Promise<unknown>;
  sleep(id: string, ms: number): Promise<void>;
  invoke(id: string, opts: { function: unknown; data: VariantTaskData }): Promise<unknown>;
}

/**
 * DurableContext on Inngest, the twin of `dbosContext` (../../dbos-workflow.ts):
 * steps are `step.run`, sleeps `step.sleep`, children `step.invoke` of
 * `generate-variant`, whose account-scoped concurrency key is the provider
 * limit (./functions.ts).
 *
 * Retries: Inngest retries per function (`retries`, the same budget for every
 * step, https://www.inngest.com/docs/features/inngest-functions/error-retries/retries),
 * not per step. The functions are created with the largest budget a step needs
 * (BOOKKEEPING's 20 attempts), and each step trims it to its own policy from the
 * step's `attempt` number:
 * - no policy, `shouldRetry` says no, or the policy's attempts spent →
 *   `NonRetriableError` (permanent: no further attempt);
 * - a `RateLimitedError` with Retry-After → `RetryAfterError` for that long;
 * - otherwise `RetryAfterError` after `intervalMs · backoffRate^(n−1)`, at most
 *   1 h (as DBOS caps it); Inngest counts the wait in whole seconds.
 * The provider attempt steps never throw (they return an AttemptResult), so
 * their waits are durable `step.sleep`s in the shared body, as on DBOS.
 * @param workflowId the run's engine-neutral id (`order:<id>`, `order:<id>:variant:<n>`,
 *   a retry's id): the same strings as the DBOS workflow ids, so dead-letter
 *   owners and logs read alike on both engines.
 * @param attempt the handler's zero-based `attempt` (of the step being run).
 * @param generateVariant the `generate-variant` function the children invoke.
 */
export function inngestContext(step: InngestStepTools, attempt: number, workflowId: string, generateVariant?: unknown): DurableContext {
  return {
    workflowId: () => workflowId,
    step<T>(name: string, fn: () => Promise<T>, retry?: Parameters<DurableContext['step']>[2]): Promise<T> {
      return step.run(name, async () => {
        try {
          return await fn();
        } catch (err) {
          const message = String((err as Error)?.message ?? err);
          const n = attempt + 1;
          if (!retry || n >= retry.maxAttempts || retry.shouldRetry?.(err) === false) throw new NonRetriableError(message, { cause: err });
          if (err instanceof RateLimitedError && err.retryAfterMs !== undefined) throw new RetryAfterError(message, err.retryAfterMs, { cause: err });
          const waitMs = Math.min(MAX_RETRY_INTERVAL_MS, Math.round(retry.intervalMs * retry.backoffRate ** (n - 1)));
          throw new RetryAfterError(message, waitMs, { cause: err });
        }
      }) as Promise<T>;
    },
    sleep(name, ms) {
      return step.sleep(name, ms);
    },
    // Inngest memoizes steps by id: a run that started before a new step existed simply runs it, no marker needed.
    async patched() {
      return true;
    },
    async runOnProviderQueue(name, tasks: VariantTask[], { priority }) {
      if (!generateVariant) throw new Error(`${workflowId} starts no children`);
      // The clock is read in a step, so a replay invokes with the same urgency.
      const urgencySeconds = (await step.run(`${name}-urgency`, async () => inngestUrgencySeconds(priority, Date.now()))) as number;
      const results = await Promise.allSettled(
        tasks.map((t) =>
          step.invoke(`${name}-${t.variantNumber}`, {
            function: generateVariant,
            data: { orderId: t.orderId, variantNumber: t.variantNumber, urgencySeconds },
          }),
        ),
      );
      // Every child has finished before any error is rethrown, as on DBOS.
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return results.map((r) => (r as PromiseFulfilledResult<unknown>).value as VariantOutcome);
    },
  };
}
