/**
 * The worker's graceful drain (SIGTERM during a deploy).
 *
 * A provider call costs money and takes 30–120 s; one abandoned by a shutdown
 * is recorded `unknown` and made again after the restart, so it is paid twice.
 * While draining, a provider attempt already under way runs to its end (its own
 * timeout bounds it) and stores its audio; a workflow about to start a new
 * attempt parks in `attempt()` instead, with nothing recorded, and is recovered by
 * the next worker with the same executor id as if this process had crashed
 * between two steps.
 */
export interface Drain {
  /** True once `begin()` was called. */
  readonly draining: boolean;
  /** Provider attempts under way in this process. */
  readonly inFlight: number;
  /**
   * Runs one provider attempt (its whole step, up to the checkpoint), counted in
   * `inFlight` until it settles. While draining it does not run it and never
   * settles: the workflow parks until the process exits. The check and the count
   * happen together, so `idle()` never resolves under an attempt about to start.
   */
  attempt<T>(run: () => Promise<T>): Promise<T>;
  /** Stops new attempts from starting. Idempotent. */
  begin(): void;
  /** Resolves when draining and no attempt is in flight. */
  idle(): Promise<void>;
}

/** A fresh drain; the worker keeps one per process. */
export function createDrain(): Drain {
  let draining = false;
  let inFlight = 0;
  const waiters: Array<() => void> = [];
  const settle = () => {
    if (draining && inFlight === 0) for (const wake of waiters.splice(0)) wake();
  };
  return {
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight;
    },
    async attempt(run) {
      if (draining) return new Promise<never>(() => {});
      inFlight++;
      try {
        return await run();
      } finally {
        inFlight--;
        settle();
      }
    },
    begin() {
      draining = true;
      settle();
    },
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      }),
  };
}

/**
 * How long a drain may take, ms: one provider attempt's timeout plus 30 s to
 * store its audio and checkpoint. The launcher's stop grace and the
 * orchestrator's termination grace period must be at least this.
 */
export function drainTimeoutMs(attemptTimeoutMs: number): number {
  return attemptTimeoutMs + 30_000;
}
