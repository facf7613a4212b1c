/**
 * The tiny durable-execution surface the generate-song workflow is written
 * against. DBOS implements it today (./dbos-workflow.ts); an Inngest binding
 * (`step.run`, `step.sleep`, the run id) can implement the same methods.
 *
 * Replay rule: a body may branch only on its arguments and on step results.
 * Configuration, the clock, randomness and reads are taken inside a step (for
 * configuration: once, at the start), so a restart with other values replays
 * the same steps.
 */

/** Retry policy of one step. Delays in ms; the n-th retry waits `intervalMs * backoffRate^(n-1)`. */
export interface StepRetryPolicy {
  maxAttempts: number;
  intervalMs: number;
  backoffRate: number;
  /** Decides per error whether another attempt can help (permanent errors say no). */
  shouldRetry?: (error: unknown) => boolean;
}

export interface DurableContext {
  /**
   * The running workflow's id: with a step name, the identity of a write, so a
   * step's idempotency key tells a re-run of itself from another run's write.
   */
  workflowId(): string;
  /**
   * Runs `fn` as a named, checkpointed step. Once it has returned, its result is
   * replayed on recovery instead of running it again. Without a policy it runs once.
   * @throws the last error when attempts are exhausted or `shouldRetry` says no.
   */
  step<T>(name: string, fn: () => Promise<T>, retry?: StepRetryPolicy): Promise<T>;
  /** A sleep that survives a crash: on recovery only the remainder is waited (ms). */
  sleep(name: string, ms: number): Promise<void>;
}
