import type { Logger } from 'pino';
import type { Tx } from '../db/pool';
import type { GenerationScheduler } from '../generation/scheduler';
import type { StripeEventEnvelope } from './event-schemas';
import type { Price } from './price';

/** What an event handler gets: the open transaction and the event's context. */
export interface WebhookEventContext {
  tx: Tx;
  event: StripeEventEnvelope;
  /** Starts and cancels generation (DBOS or Inngest, `GENERATION_ENGINE`). */
  scheduler: GenerationScheduler;
  price: Price;
  log: Logger;
  /**
   * Runs `fn` once the intake transaction has committed (never if it rolls
   * back), for side effects outside the database, such as cancelling a
   * workflow. Best effort: a failure is logged, not retried.
   */
  afterCommit(fn: () => Promise<void>): void;
}

/**
 * Handles one event type inside the intake transaction and says what it did
 * (recorded as `stripe_events.outcome`); throws to roll everything back.
 */
export type WebhookEventHandler = (ctx: WebhookEventContext) => Promise<string>;
