import type { Logger } from 'pino';
import { pauseGeneration } from '../db/generation-control';
import { isFulfillable } from '../db/orders';
import type { Db } from '../db/pool';
import { type DeliveredAudio, recordProviderCallDelivered, recordProviderCallFailed } from '../db/provider-calls';
import { markVariantComplete, recordVariantError } from '../db/song-variants';
import { loadAttemptContext, type PromptSource, startVariantCall } from '../db/variant-attempt-reads';
import { ProviderAccountError, type ProviderDetail, ProviderError, RateLimitedError } from '../errors';
import { type Storage, variantStorageKey } from '../storage/storage';
import { sentPromptSha256, variantPrompt } from './prompt';
import type { GeneratedSong, MusicProvider } from './providers/music-provider';

export interface AttemptDeps {
  db: Db;
  provider: MusicProvider;
  storage: Storage;
  /** Requested song length, ms. */
  lengthMs: number;
  log: Logger;
}

/**
 * How an attempt failed, which decides what the workflow does next. `internal`:
 * our own database or storage failed, not the provider; it has its own budget
 * so an outage does not dead-letter healthy variants.
 */
export type FailureKind = 'paused' | 'rate_limited' | 'retryable' | 'permanent' | 'account' | 'internal';

/**
 * The result of one attempt, as plain data: a workflow engine checkpoints it
 * and replays it as it was, so the retry decisions made on it are the same
 * after a crash (a thrown error may not come back as the same class).
 */
export type AttemptResult =
  | { ok: true; outcome: 'complete' | 'skipped' }
  | {
      ok: false;
      kind: FailureKind;
      message: string;
      stack: string | null;
      providerStatus?: number;
      retryAfterMs?: number;
      detail?: ProviderDetail;
      /** The prompt the failed call sent: where it came from and its sha256 (never its text). */
      prompt?: { source: PromptSource; sha256: string };
    };

/**
 * Audio generated in this process but not yet stored and recorded, keyed by
 * `<orderId>:<variant>`: a retry after a storage or database error reuses it
 * instead of paying the provider again.
 */
const undelivered = new Map<string, GeneratedSong>();

function failure(err: unknown): Extract<AttemptResult, { ok: false }> {
  const e = err as Error;
  const base = { message: String(e?.message ?? err).slice(0, 2000), stack: e?.stack ?? null };
  if (!(err instanceof ProviderError)) return { ok: false, kind: 'internal', ...base };
  const provider = { providerStatus: err.providerStatus, detail: err.detail };
  if (err instanceof RateLimitedError) return { ok: false, kind: 'rate_limited', retryAfterMs: err.retryAfterMs, ...base, ...provider };
  if (err instanceof ProviderAccountError) return { ok: false, kind: 'account', ...base, ...provider };
  return { ok: false, kind: err.retryable ? 'retryable' : 'permanent', ...base, ...provider };
}

/**
 * Marks the variant complete unless the order stopped being paid meanwhile (the
 * write re-checks it): then the refund's `failed` stands and the attempt is `skipped`.
 */
async function completeVariant(deps: AttemptDeps, orderId: string, variantNumber: number, audio: DeliveredAudio): Promise<AttemptResult> {
  if (await markVariantComplete(deps.db, { orderId, variantNumber, ...audio })) return { ok: true, outcome: 'complete' };
  deps.log.info({ orderId, variantNumber }, 'order is no longer paid; the audio is stored but not delivered');
  return { ok: true, outcome: 'skipped' };
}

/**
 * One attempt at one variant: generate, upload, mark complete. Returns how it
 * went instead of throwing, so the workflow decides retries on checkpointed data.
 *
 * Pays for a variant again only when the earlier call is known to have failed,
 * or its outcome cannot be known (a timeout or reset after sending, or a crash
 * mid-call: then the earlier call is recorded as `unknown`, probably charged);
 * ElevenLabs charges for every call:
 * - a variant already `complete` returns at once (a crash between our commit
 *   and the step's checkpoint);
 * - audio a successful call delivered is reused: from this process's memory
 *   after a storage or database error, or from storage after a crash, found
 *   through the `provider_calls` ledger;
 * - every call is written to the ledger before it is made; a call that timed
 *   out or was reset after sending is recorded with outcome `unknown` (paid);
 * - while generation is paused (dead key, no quota) no call is made at all.
 */
export async function attemptVariant(deps: AttemptDeps, orderId: string, variantNumber: number): Promise<AttemptResult> {
  const { db, provider, storage } = deps;
  const log = deps.log.child({ orderId, variantNumber });
  try {
    // One round trip for every read an attempt needs (and closing calls cut off by a crash).
    const context = await loadAttemptContext(db, orderId, variantNumber);
    if (!context) return { ok: false, kind: 'permanent', message: `variant ${variantNumber} of order ${orderId} does not exist`, stack: null };
    const { variant, order, delivered } = context;
    if (variant.status === 'complete') {
      log.info('variant already complete; not calling the provider again');
      return { ok: true, outcome: 'complete' };
    }
    if (!isFulfillable(order.status)) {
      // A refund (or a lost dispute) landed mid-generation: do not spend
      // another provider call. A disputed order goes on: its song is evidence.
      log.info({ status: order.status }, 'order is no longer paid; skipping variant');
      return { ok: true, outcome: 'skipped' };
    }
    if (delivered && (await storage.exists(delivered.storagePath))) {
      log.info({ storagePath: delivered.storagePath }, 'audio from an earlier paid call is already stored; reusing it');
      return completeVariant(deps, orderId, variantNumber, delivered);
    }
    if (context.abandoned) log.warn({ abandoned: context.abandoned }, 'an earlier call was cut off by a crash; recorded as unknown (probably paid)');

    const memoKey = `${orderId}:${variantNumber}`;
    let song = undelivered.get(memoKey);
    if (song) {
      log.info('reusing audio generated by an earlier attempt in this process');
    } else {
      if (context.pause.paused) return { ok: false, kind: 'paused', message: `generation is paused: ${context.pause.reason}`, stack: null };
      if (!context.customization) return { ok: false, kind: 'permanent', message: `customization of order ${orderId} is gone`, stack: null };
      const prompt = variantPrompt(context.customization, variantNumber, context.revision);
      // Marks the attempt and writes the ledger row in one statement, re-checking the payment: the read above may be stale by now.
      const callId = await startVariantCall(db, { orderId, variantNumber, provider: provider.name, promptSource: prompt.source });
      if (!callId) {
        log.info('order is no longer paid; skipping variant without calling the provider');
        return { ok: true, outcome: 'skipped' };
      }
      log.info({ attempt: variant.attempts + 1, provider: provider.name, promptSource: prompt.source }, 'calling the music provider');
      try {
        song = await provider.generate(prompt, { orderId, variantNumber, lengthMs: deps.lengthMs });
      } catch (err) {
        const result = { ...failure(err), prompt: { source: prompt.source, sha256: sentPromptSha256(prompt) } };
        const unknown = err instanceof ProviderError && err.outcomeUnknown;
        await recordProviderCallFailed(db, { id: callId, error: result.message, outcome: unknown ? 'unknown' : 'error' });
        await recordVariantError(db, { orderId, variantNumber, error: result.message });
        if (result.kind === 'account') {
          await pauseGeneration(db, result.message);
          log.error({ err }, 'provider refused our account: all generation paused until an admin resumes it');
        } else {
          log.warn({ err, kind: result.kind, outcomeUnknown: unknown }, 'provider call failed');
        }
        return result;
      }
      // Paid for from here on: keep the audio until it is stored and recorded.
      undelivered.set(memoKey, song);
      await recordProviderCallDelivered(db, {
        id: callId,
        storagePath: variantStorageKey(orderId, variantNumber, song.extension),
        contentType: song.contentType,
        durationMs: song.durationMs,
        providerSongId: song.providerSongId,
      });
    }
    const key = variantStorageKey(orderId, variantNumber, song.extension);
    await storage.put(key, song.audio, song.contentType);
    const result = await completeVariant(deps, orderId, variantNumber, {
      storagePath: key,
      contentType: song.contentType,
      durationMs: song.durationMs,
      providerSongId: song.providerSongId,
    });
    undelivered.delete(memoKey);
    log.info({ durationMs: song.durationMs, bytes: song.audio.length }, 'variant stored');
    return result;
  } catch (err) {
    // Our own storage or database failed: retry (the audio, if any, is kept above).
    log.warn({ err }, 'variant attempt failed outside the provider');
    return failure(err);
  }
}
