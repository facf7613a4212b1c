import type { Tx } from '../db/pool';

/** Which durable-execution engine runs the generation bodies (`GENERATION_ENGINE`). */
export type GenerationEngine = 'dbos' | 'inngest';

/**
 * The state of an order's generation runs, in engine-neutral terms:
 * - `none`: nothing was ever started for the order;
 * - `queued`: started but waiting (DBOS `ENQUEUED`/`DELAYED`; Inngest: an
 *   outbox row not yet accepted by Inngest);
 * - `running`: at least one run is executing (DBOS `PENDING`; Inngest: a run
 *   the Inngest API reports `Running`, or an event accepted whose run the API
 *   cannot be asked about);
 * - `finished`, `failed`, `cancelled`: every run ended, the worst one wins
 *   (failed over cancelled over finished).
 */
export type RunState = 'none' | 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

/** One run (DBOS workflow, Inngest event/run) of an order's generation. */
export interface GenerationRun {
  /** DBOS workflow id, or Inngest event id (`order:<orderId>`, `order:<orderId>:retry:<n>:<deadLetterId>`). */
  id: string;
  state: RunState;
}

export interface OrderRunStatus {
  /** The order's overall state: `running` beats `queued` beats the terminal states. */
  state: RunState;
  runs: GenerationRun[];
}

/** A manual retry of one dead-lettered variant. */
export interface VariantRetryRequest {
  orderId: string;
  variantNumber: number;
  /** The open dead letter the retry takes on (`failed_jobs.id`). */
  deadLetterId: string;
  /** Provider-queue priority, 0 … 2,147,483,647, lower first (./priority.ts). */
  priority: number;
}

/** Registers work to do once the caller's transaction has committed (never if it rolls back). */
export type AfterCommit = (fn: () => Promise<void>) => void;

/**
 * The trigger side of generation: what payments and admin code may ask of the
 * engine, without knowing which one runs (DBOS: ./dbos-scheduler.ts, Inngest:
 * ./engines/inngest/inngest-scheduler.ts). Chosen by `GENERATION_ENGINE`.
 */
export interface GenerationScheduler {
  readonly engine: GenerationEngine;
  /**
   * Starts the order's generate-song run as part of `tx`: it exists if and only
   * if `tx` commits, and starting the same order twice starts one run (id
   * `order:<orderId>`). DBOS enqueues in the transaction; Inngest writes an
   * outbox row in it and sends the event after commit.
   * @returns the run id.
   */
  startOrder(tx: Tx, orderId: string, afterCommit: AfterCommit): Promise<string>;
  /**
   * Starts a manual retry of one variant as part of `tx`, on the provider's
   * concurrency limit; asking twice for the same dead letter starts one run
   * (id `order:<orderId>:retry:<n>:<deadLetterId>`).
   * @returns the run id.
   */
  retryVariant(tx: Tx, request: VariantRetryRequest, afterCommit: AfterCommit): Promise<string>;
  /**
   * Cancels every unfinished run of the order (generate-song, its variants,
   * manual retries). Call after the transaction that stopped the order
   * committed; best effort: every variant write re-checks the order anyway.
   * @returns the ids of the runs asked to stop.
   */
  cancelOrder(orderId: string): Promise<string[]>;
  /** Reads the state of the order's runs. */
  orderRunStatus(orderId: string): Promise<OrderRunStatus>;
  /**
   * Once per webhook, after its transaction: re-sends starts that were
   * committed but never accepted by the engine (Inngest's outbox relay). DBOS
   * has nothing to relay.
   */
  relayPending(): Promise<void>;
}

const ORDER: RunState[] = ['running', 'queued', 'failed', 'cancelled', 'finished'];

/** The order's overall state from its runs (see OrderRunStatus.state); `none` without runs. */
export function overallRunState(runs: GenerationRun[]): RunState {
  for (const state of ORDER) if (runs.some((r) => r.state === state)) return state;
  return 'none';
}
