import { generateSongWorkflowId, retryVariantWorkflowId } from '../../workflow-names';

/**
 * The Inngest app id. Functions are registered under it, so changing it
 * orphans runs in flight (the Inngest counterpart of APP_NAME).
 */
export const INNGEST_APP_ID = 'songswipe';

/** A paid (or disputed) order: starts `generate-song`. Data: `{orderId}`. Event id `order:<orderId>`. */
export const ORDER_PAID_EVENT = 'song/order.paid';
/** An admin's manual retry of one dead letter: starts `retry-variant`. Event id = the DBOS retry workflow id. */
export const VARIANT_RETRY_EVENT = 'song/variant.retry-requested';
/** The order's money went back: cancels every run of the order (`cancelOn`). Data: `{orderId}`. */
export const ORDER_REFUNDED_EVENT = 'song/order.refunded';

export interface OrderPaidData {
  orderId: string;
}
export interface VariantRetryData {
  orderId: string;
  variantNumber: number;
  deadLetterId: string;
  /** ./priority.ts scale (lower first); mapped to Inngest's window by `inngestUrgencySeconds`. */
  priority: number;
  urgencySeconds: number;
}
/** The data `generate-song` invokes `generate-variant` with. */
export interface VariantTaskData {
  orderId: string;
  variantNumber: number;
  urgencySeconds: number;
}

/** Event id of an order's start: the same string as its DBOS workflow id, so Inngest's 24 h de-duplication keys on the order. */
export function orderPaidEventId(orderId: string): string {
  return generateSongWorkflowId(orderId);
}

/** Event id of a manual retry: named after its dead letter, like the DBOS retry workflow. */
export function variantRetryEventId(orderId: string, variantNumber: number, deadLetterId: string): string {
  return retryVariantWorkflowId(orderId, variantNumber, deadLetterId);
}

/** Inngest bounds `priority.run` to −600 … 600: seconds a run may jump ahead of (or fall behind) runs enqueued before it. */
export const INNGEST_PRIORITY_WINDOW_S = 600;
/** Seconds of priority per day nearer the occasion: 30 days out is neutral, today (or past) the maximum. */
const SECONDS_PER_DAY = 20;
const DAY_MS = 86_400_000;
const EPOCH_MS = Date.UTC(2000, 0, 1);

/**
 * The Inngest priority of a provider-queue item (`priority.run:
 * "event.data.urgencySeconds"`), from its ./priority.ts value (whose high bits
 * are the occasion's day number since 2000-01-01) and today:
 * `600 − 20 s × days until the occasion`, clamped to ±600.
 *
 * Earliest-deadline-first only approximately: Inngest lets a run jump at most
 * 600 s ahead of runs enqueued before it (docs: https://www.inngest.com/docs/reference/functions/run-priority),
 * so an urgent order never overtakes work queued more than 10 minutes earlier,
 * and occasions 60 days out or more all weigh the same (−600). DBOS orders the
 * whole queue by the exact value.
 * @param priority 0 … 2,147,483,647 (./priority.ts).
 * @param nowMs the clock, ms since the epoch (read inside a step).
 * @returns an integer in −600 … 600, higher runs first.
 */
export function inngestUrgencySeconds(priority: number, nowMs: number): number {
  const occasionDay = Math.floor(priority / 2 ** 16);
  const today = Math.floor((nowMs - EPOCH_MS) / DAY_MS);
  const seconds = INNGEST_PRIORITY_WINDOW_S - SECONDS_PER_DAY * (occasionDay - today);
  return Math.max(-INNGEST_PRIORITY_WINDOW_S, Math.min(INNGEST_PRIORITY_WINDOW_S, seconds));
}
