/**
 * The tiny durable-execution surface the generation workflows are written
 * against, implemented twice: on DBOS (./dbos-workflow.ts) and on Inngest
 * (./engines/inngest/inngest-context.ts: `step.run`, `step.sleep`,
 * `step.invoke`), chosen by `GENERATION_ENGINE`.
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

/** One unit of provider work: one variant of one order, run as its own child workflow. */
export interface VariantTask {
  orderId: string;
  variantNumber: number;
}

/** What a variant child ended as. `skipped`: the order stopped being paid (refunded) before it ran. */
export type VariantOutcome = 'complete' | 'failed' | 'skipped';

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
  /**
   * Whether this run takes the new path of a changed workflow body (README "Safe
   * upgrades"): true for a run that reaches this point after the change shipped,
   * false for a run whose recorded history already went past it the old way, so
   * it replays unchanged. Call it only where the new path would add or reorder steps.
   * - DBOS: `DBOS.patch(name)` (needs `enablePatching`; DBOS docs, "Upgrading
   *   Workflow Code"), which records a marker the first time it returns true.
   * - Inngest: always true; steps are memoized by id, so a new step id needs no marker.
   */
  patched(name: string): Promise<boolean>;
  /**
   * Starts one child workflow per task on the provider queue, then waits for all
   * of them; returns their outcomes in task order. The children run in parallel,
   * each in its own slot, at most GENERATION_CONCURRENCY across every worker, and
   * the queue hands out free slots lowest `priority` first (then oldest first).
   * A child that fails ends as `failed` without touching its siblings. Starting
   * is idempotent: on recovery the same children are found again, never started
   * twice, and a child's own progress is its own (it is not re-run by the parent).
   *
   * - DBOS: `DBOS.startWorkflow(generate-variant, { workflowID:
   *   order:<orderId>:variant:<n>, queueName: PROVIDER_QUEUE, enqueueOptions: {
   *   priority } })` per task, then `DBOS.waitAll` and each handle's result.
   * - Inngest: `Promise.allSettled(tasks.map((t) => step.invoke(`${name}-${t.variantNumber}`,
   *   { function: generateVariant, data: { ...t, urgencySeconds } })))`, where
   *   `generateVariant` is created with `concurrency: { limit:
   *   GENERATION_CONCURRENCY, scope: 'account', key: '"music-provider"' }` and
   *   `priority: { run: 'event.data.urgencySeconds' }`: the priority mapped to
   *   Inngest's ±600 s window (./engines/inngest/events.ts), in a step `${name}-urgency`.
   * @param name step name of the fan-out (the invoke step ids derive from it).
   * @param priority 0 … 2,147,483,647, lower first (./priority.ts).
   * @throws when a child ended in error (not a dead-letter: those are `failed`)
   *   or was cancelled (a refund), after every sibling has finished.
   */
  runOnProviderQueue(name: string, tasks: VariantTask[], options: { priority: number }): Promise<VariantOutcome[]>;
}
