import type { Logger } from 'pino';
import { getCustomization } from '../db/customizations';
import { insertFailedJob } from '../db/failed-jobs';
import { getOrderForGeneration } from '../db/orders';
import { type Db, withTransaction } from '../db/pool';
import { finishProviderCall, startProviderCall } from '../db/provider-calls';
import {
  createPendingVariants,
  getVariant,
  markVariantComplete,
  markVariantFailed,
  markVariantGenerating,
  recordVariantError,
} from '../db/song-variants';
import { NotFoundError, ProviderError } from '../errors';
import { variantStorageKey, type Storage } from '../storage/storage';
import type { DurableContext, StepRetryPolicy } from './durable-context';
import { buildSongPrompt } from './prompt';
import type { MusicProvider } from './providers/music-provider';
import { generateSongWorkflowId, VARIANTS_PER_ORDER } from './workflow-names';

export interface GenerationDeps {
  db: Db;
  provider: MusicProvider;
  storage: Storage;
  /** Requested song length, ms. */
  lengthMs: number;
  /** Retry policy of each variant's step (attempts, backoff). */
  retry: Omit<StepRetryPolicy, 'shouldRetry'>;
  log: Logger;
}

/** `skipped`: the order stopped being paid (refunded) before this variant ran. */
export type VariantOutcome = 'complete' | 'failed' | 'skipped';

export interface GenerateSongResult {
  orderId: string;
  skipped?: string;
  variants: Record<number, VariantOutcome>;
}

/** Permanent provider errors (400/422, bad prompt, auth) never get another attempt. */
function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderError) return error.retryable;
  return !(error instanceof NotFoundError);
}

function describe(error: unknown): { message: string; stack: string | null } {
  const err = error as { errors?: Error[]; message?: string; stack?: string };
  const last = err.errors?.at(-1) ?? (error as Error);
  return { message: String(last?.message ?? error).slice(0, 2000), stack: last?.stack ?? null };
}

/**
 * One attempt at one variant: generate, upload, mark complete.
 *
 * Idempotent: a variant already `complete` returns at once without calling the
 * provider, which covers a crash between the database commit and the step's
 * checkpoint. Every provider call is written to the `provider_calls` ledger
 * before it is made (providers charge for failed calls too).
 * @throws the provider's typed error; the caller's retry policy decides.
 */
export async function generateVariant(deps: GenerationDeps, orderId: string, variantNumber: number): Promise<VariantOutcome> {
  const { db, provider, storage } = deps;
  const log = deps.log.child({ orderId, variantNumber });
  const variant = await getVariant(db, orderId, variantNumber);
  if (!variant) throw new NotFoundError(`variant ${variantNumber} of order ${orderId} does not exist`);
  if (variant.status === 'complete') {
    log.info('variant already complete; not calling the provider again');
    return 'complete';
  }
  const order = await getOrderForGeneration(db, orderId);
  if (order && order.status !== 'paid') {
    // A refund landed mid-generation: do not spend another provider call.
    log.info({ status: order.status }, 'order is no longer paid; skipping variant');
    return 'skipped';
  }
  const customization = order && (await getCustomization(db, order.customizationId));
  if (!customization) throw new NotFoundError(`customization of order ${orderId} is gone`);

  await markVariantGenerating(db, orderId, variantNumber);
  const prompt = buildSongPrompt(customization, variantNumber);
  log.info({ attempt: variant.attempts + 1, provider: provider.name }, 'generating variant');
  const callId = await startProviderCall(db, { orderId, variantNumber, provider: provider.name });
  let song;
  try {
    song = await provider.generate(prompt, { orderId, variantNumber, lengthMs: deps.lengthMs });
    await finishProviderCall(db, callId, 'success');
  } catch (err) {
    const { message } = describe(err);
    await finishProviderCall(db, callId, 'error', message);
    await recordVariantError(db, orderId, variantNumber, message);
    log.warn({ err, retryable: isRetryable(err) }, 'provider call failed');
    throw err;
  }
  const key = variantStorageKey(orderId, variantNumber, song.extension);
  await storage.put(key, song.audio, song.contentType);
  await markVariantComplete(db, orderId, variantNumber, {
    storagePath: key,
    contentType: song.contentType,
    durationMs: song.durationMs,
    providerSongId: song.providerSongId,
  });
  log.info({ durationMs: song.durationMs, bytes: song.audio.length }, 'variant complete');
  return 'complete';
}

/**
 * Dead-letters a variant whose attempts are exhausted: marks it `failed` and
 * writes a `failed_jobs` row (ids only: no story, no share token) in one
 * transaction.
 */
async function deadLetterVariant(deps: GenerationDeps, orderId: string, variantNumber: number, error: unknown): Promise<void> {
  const { message, stack } = describe(error);
  await withTransaction(deps.db, async (tx) => {
    const variant = await getVariant(tx, orderId, variantNumber);
    if (!variant || variant.status === 'complete') return;
    const order = await getOrderForGeneration(tx, orderId);
    await markVariantFailed(tx, orderId, variantNumber, message);
    await insertFailedJob(tx, {
      jobType: 'generate_variant',
      orderId,
      variantNumber,
      eventData: { orderId, variantNumber, customizationId: order?.customizationId ?? null },
      errorMessage: message,
      errorStack: stack,
      retryCount: variant.attempts,
    });
  });
  deps.log.error({ orderId, variantNumber, error: message }, 'variant failed for good; dead-lettered for manual retry');
}

/**
 * The generate-song workflow body: from a paid order to three stored variants.
 * Engine-neutral: all durability comes from `ctx`.
 *
 * Steps: `load-order`, `create-variants`, then per variant `variant-<n>` (with
 * the retry policy) and, only if it fails for good, `dead-letter-<n>`. Each
 * variant is its own step, so a failing variant never redoes or blocks a
 * finished sibling, and a recovered workflow resumes after the last completed
 * step.
 */
export async function generateSong(ctx: DurableContext, deps: GenerationDeps, orderId: string): Promise<GenerateSongResult> {
  const log = deps.log.child({ workflowId: generateSongWorkflowId(orderId) });
  const scoped: GenerationDeps = { ...deps, log };
  const order = await ctx.step('load-order', async () => {
    const o = await getOrderForGeneration(deps.db, orderId);
    return o ? { status: o.status } : null;
  });
  if (!order) return { orderId, skipped: 'order not found', variants: {} };
  if (order.status !== 'paid') {
    log.warn({ orderId, status: order.status }, 'order is not paid; not generating');
    return { orderId, skipped: `order status is ${order.status}`, variants: {} };
  }
  await ctx.step('create-variants', () => createPendingVariants(deps.db, orderId, VARIANTS_PER_ORDER));

  const variants: Record<number, VariantOutcome> = {};
  for (let n = 1; n <= VARIANTS_PER_ORDER; n++) {
    try {
      variants[n] = await ctx.step(`variant-${n}`, () => generateVariant(scoped, orderId, n), {
        ...deps.retry,
        shouldRetry: isRetryable,
      });
    } catch (err) {
      await ctx.step(`dead-letter-${n}`, () => deadLetterVariant(scoped, orderId, n, err));
      variants[n] = 'failed';
    }
  }
  log.info({ orderId, variants }, 'generate-song finished');
  return { orderId, variants };
}
