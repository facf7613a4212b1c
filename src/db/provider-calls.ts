import type { Queryable } from './pool';

/**
 * Records that a provider call is about to be made, before it is made: a call
 * whose process dies mid-flight still shows up (with no outcome), because
 * providers charge for it anyway.
 * @returns the ledger row id, for `finishProviderCall`.
 */
export async function startProviderCall(
  db: Queryable,
  call: { orderId: string; variantNumber: number; provider: string },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.provider_calls (order_id, variant_number, provider) values ($1, $2, $3) returning id`,
    [call.orderId, call.variantNumber, call.provider],
  );
  return rows[0]!.id;
}

export async function finishProviderCall(db: Queryable, id: string, outcome: 'success' | 'error', error?: string): Promise<void> {
  await db.query(`update public.provider_calls set finished_at = now(), outcome = $2, error = $3 where id = $1`, [
    id,
    outcome,
    error ?? null,
  ]);
}

/** Calls made per variant of an order: `{ 1: 1, 2: 1, 3: 2 }`. */
export async function countProviderCalls(db: Queryable, orderId: string): Promise<Record<number, number>> {
  const { rows } = await db.query<{ variant_number: number; calls: number }>(
    `select variant_number, count(*)::int as calls from public.provider_calls where order_id = $1 group by 1`,
    [orderId],
  );
  return Object.fromEntries(rows.map((r) => [r.variant_number, r.calls]));
}
