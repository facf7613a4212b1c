import type { Queryable } from './pool';
import type { Column, Columns } from './rows';
import type { VariantKey, VariantResult } from './song-variants';

/**
 * Records that a provider call is about to be made, before it is made: a call
 * whose process dies mid-flight still shows up (with no outcome), because
 * providers charge for it anyway.
 * @returns the ledger row id, for `recordProviderCallDelivered` or `recordProviderCallFailed`.
 */
export async function startProviderCall(db: Queryable, call: Columns<'provider_calls', 'order_id' | 'variant_number' | 'provider'>): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`insert into public.provider_calls (order_id, variant_number, provider) values ($1, $2, $3) returning id`, [
    call.orderId,
    call.variantNumber,
    call.provider,
  ]);
  return rows[0]!.id;
}

/**
 * What a successful call delivered, and where its audio is (being) stored: the
 * ledger's columns, which become the variant's when it is marked complete.
 */
export type DeliveredAudio = VariantResult;

/**
 * Records a failed call (`error` is the provider's message). `unknown`: it timed
 * out or was reset after the request was sent, so it was probably charged.
 */
export async function recordProviderCallFailed(
  db: Queryable,
  { id, error, outcome = 'error' }: { id: string; error: string; outcome?: 'error' | 'unknown' },
): Promise<void> {
  await db.query(`update public.provider_calls set finished_at = now(), outcome = $3, error = $2 where id = $1`, [id, error, outcome]);
}

/** Records a successful call and the storage key its audio goes to. */
export async function recordProviderCallDelivered(db: Queryable, { id, ...audio }: DeliveredAudio & { id: string }): Promise<void> {
  await db.query(
    `update public.provider_calls
       set finished_at = now(), outcome = 'success', storage_path = $2, content_type = $3, duration_ms = $4, provider_song_id = $5
     where id = $1`,
    [id, audio.storagePath, audio.contentType, audio.durationMs, audio.providerSongId],
  );
}

/** The latest successful call for a variant, if any: audio already paid for. */
export async function findDeliveredAudio(db: Queryable, { orderId, variantNumber }: VariantKey): Promise<DeliveredAudio | undefined> {
  const { rows } = await db.query<DeliveredAudio>(
    `select storage_path as "storagePath", content_type as "contentType", duration_ms as "durationMs",
            provider_song_id as "providerSongId"
     from public.provider_calls
     where order_id = $1 and variant_number = $2 and outcome = 'success' and storage_path is not null
     order by id desc limit 1`,
    [orderId, variantNumber],
  );
  return rows[0];
}

/** Calls made per variant of an order: `{ 1: 1, 2: 1, 3: 2 }`. */
export async function countProviderCalls(db: Queryable, orderId: string): Promise<Record<number, number>> {
  const { rows } = await db.query<{ variant_number: Column<'provider_calls', 'variant_number'>; calls: number }>(
    `select variant_number, count(*)::int as calls from public.provider_calls where order_id = $1 group by 1`,
    [orderId],
  );
  return Object.fromEntries(rows.map((r) => [r.variant_number, r.calls]));
}

/**
 * Closes the calls of a variant that were started but never finished (the
 * process died mid-call) as outcome `unknown`. Safe only inside the variant's
 * own step, when no other attempt of it can be running.
 * @returns how many were closed.
 */
export async function closeAbandonedProviderCalls(db: Queryable, { orderId, variantNumber }: VariantKey): Promise<number> {
  const { rowCount } = await db.query(
    `update public.provider_calls set finished_at = now(), outcome = 'unknown', error = 'cut off by a worker crash'
     where order_id = $1 and variant_number = $2 and finished_at is null`,
    [orderId, variantNumber],
  );
  return rowCount ?? 0;
}

/**
 * The median duration of the last `n` successful provider calls (ms, from the
 * ledger's start and finish times), or undefined before the first success.
 */
export async function medianRecentCallMs(db: Queryable, n: number): Promise<number | undefined> {
  const { rows } = await db.query<{ median: number | null }>(
    `select percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at) * 1000) as median
     from (select started_at, finished_at from public.provider_calls
           where outcome = 'success' order by finished_at desc limit $1) recent`,
    [n],
  );
  return rows[0]?.median ?? undefined;
}
