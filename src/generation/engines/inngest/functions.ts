import { type Inngest, NonRetriableError } from 'inngest';
import { generateSong, type GenerationDeps, generateVariant } from '../../generate-song';
import { retryVariant } from '../../retry-variant';
import { GENERATE_SONG_WORKFLOW, GENERATE_VARIANT_WORKFLOW, generateVariantWorkflowId, PROVIDER_QUEUE, RETRY_VARIANT_WORKFLOW } from '../../workflow-names';
import {
  ORDER_PAID_EVENT,
  ORDER_REFUNDED_EVENT,
  orderPaidEventId,
  VARIANT_RETRY_EVENT,
  type VariantRetryData,
  type VariantTaskData,
  variantRetryEventId,
} from './events';
import { type InngestStepTools, inngestContext } from './inngest-context';
import { sendOutbox } from './outbox-relay';

/** The relay's schedule: every minute (Inngest cron syntax, UTC). */
export const RELAY_CRON = '* * * * *';
export const RELAY_FUNCTION_ID = 'relay-generation-outbox';

/**
 * Retries per step: BOOKKEEPING's 20 attempts (../../generate-song.ts) are the
 * most any step needs; each step trims this to its own policy (./inngest-context.ts).
 */
const FUNCTION_RETRIES = 19;

/** A refund cancels every run of the order: the cancelling event names the same order. */
const CANCEL_ON_REFUND = [{ event: ORDER_REFUNDED_EVENT, if: 'async.data.orderId == event.data.orderId' }];

/**
 * The provider limit across every run of every function and every deployment
 * of the account: one account-scoped concurrency key (a constant CEL string,
 * so all provider work shares one queue, like DBOS's `music-provider`).
 */
export function providerConcurrency(limit: number) {
  return { limit, scope: 'account' as const, key: `"${PROVIDER_QUEUE}"` };
}

/** Earliest occasion first, within Inngest's ±600 s window (./events.ts `inngestUrgencySeconds`). */
const PROVIDER_PRIORITY = { run: 'event.data.urgencySeconds' };

type Handler<D> = (ctx: { event: { data: D }; step: unknown; attempt: number }) => Promise<unknown>;

/** Reads the handler context the way the shared bodies need it (one cast, here). */
function tools(ctx: { step: unknown }): InngestStepTools {
  return ctx.step as InngestStepTools;
}

export interface GenerationFunctionsOptions {
  /** GENERATION_CONCURRENCY: provider calls in flight across the account. */
  concurrency: number;
}

/**
 * The generation pipeline as Inngest functions, the twin of
 * ../../dbos-workflow.ts (same bodies, same step names):
 * - `generate-variant` (invoked by generate-song, one variant): account-scoped
 *   concurrency `GENERATION_CONCURRENCY`, priority from the occasion date;
 * - `generate-song` on `song/order.paid`: the order, which invokes its three
 *   variants and awaits them;
 * - `retry-variant` on `song/variant.retry-requested`: an admin's manual retry,
 *   under the same concurrency key as generate-variant;
 * - `relay-generation-outbox`, a cron: sends outbox rows not yet accepted.
 * Every generation function is cancelled by `song/order.refunded` for its order.
 * Docs: https://www.inngest.com/docs/reference/functions/create
 */
export function createGenerationFunctions(inngest: Inngest, deps: GenerationDeps, options: GenerationFunctionsOptions) {
  const concurrency = providerConcurrency(options.concurrency);
  const variantHandler: Handler<VariantTaskData> = async (ctx) => {
    const { orderId, variantNumber } = ctx.event.data;
    return generateVariant(inngestContext(tools(ctx), ctx.attempt, generateVariantWorkflowId(orderId, variantNumber)), deps, orderId, variantNumber);
  };
  const generateVariantFn = inngest.createFunction(
    {
      id: GENERATE_VARIANT_WORKFLOW,
      retries: FUNCTION_RETRIES,
      concurrency,
      priority: PROVIDER_PRIORITY,
      cancelOn: CANCEL_ON_REFUND,
    },
    variantHandler as never,
  );

  const songHandler: Handler<{ orderId: string }> = async (ctx) => {
    const { orderId } = ctx.event.data;
    if (typeof orderId !== 'string') throw new NonRetriableError('song/order.paid without an orderId');
    return generateSong(inngestContext(tools(ctx), ctx.attempt, orderPaidEventId(orderId), generateVariantFn), deps, orderId);
  };
  const generateSongFn = inngest.createFunction(
    {
      id: GENERATE_SONG_WORKFLOW,
      retries: FUNCTION_RETRIES,
      cancelOn: CANCEL_ON_REFUND,
      triggers: [{ event: ORDER_PAID_EVENT }],
    },
    songHandler as never,
  );

  const retryHandler: Handler<VariantRetryData> = async (ctx) => {
    const { orderId, variantNumber, deadLetterId } = ctx.event.data;
    const id = variantRetryEventId(orderId, variantNumber, deadLetterId);
    return retryVariant(inngestContext(tools(ctx), ctx.attempt, id), deps, orderId, variantNumber, deadLetterId);
  };
  const retryVariantFn = inngest.createFunction(
    {
      id: RETRY_VARIANT_WORKFLOW,
      retries: FUNCTION_RETRIES,
      concurrency,
      priority: PROVIDER_PRIORITY,
      cancelOn: CANCEL_ON_REFUND,
      triggers: [{ event: VARIANT_RETRY_EVENT }],
    },
    retryHandler as never,
  );

  const relayFn = inngest.createFunction({ id: RELAY_FUNCTION_ID, retries: 3, triggers: [{ cron: RELAY_CRON }] }, async ({ step }) =>
    step.run('send-unsent', () => sendOutbox(deps.db, inngest, deps.log)),
  );

  return { generateVariantFn, generateSongFn, retryVariantFn, relayFn, all: [generateSongFn, generateVariantFn, retryVariantFn, relayFn] };
}
