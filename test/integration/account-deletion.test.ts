import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow } from '../support/fixtures';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});

/** A paid order with 3 complete variants and a failed-job row; returns its ids. */
async function paidOrderWithSongs(userId: string) {
  const customizationId = await createCustomizationRow(db.pool, userId, { recipient_name: 'Ada Lovelace', story: 'We met at a train station in the rain.' });
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into public.orders (user_id, customization_id, stripe_session_id, stripe_payment_intent_id, status, amount, currency, occasion_date)
     values ($1, $2, 'cs_test_' || md5(random()::text), 'pi_test_1', 'paid', 2900, 'usd', '2026-12-24') returning id`,
    [userId, customizationId],
  );
  const orderId = rows[0]!.id;
  const { rows: variants } = await db.pool.query<{ share_token: string }>(
    `insert into public.song_variants (order_id, user_id, variant_number, generation_status, storage_path, content_type, duration_ms, completed_at)
     select $1::uuid, $2::uuid, n, 'complete', 'songs/' || $1::text || '/variant-' || n || '.mp3', 'audio/mpeg', 1000, now() from generate_series(1, 3) n
     returning share_token`,
    [orderId, userId],
  );
  await db.pool.query(`insert into public.provider_calls (order_id, variant_number, provider) values ($1, 1, 'synth')`, [orderId]);
  return { customizationId, orderId, shareTokens: variants.map((v) => v.share_token) };
}

describe('deleting a user (auth.users) keeps their paid orders, anonymised', () => {
  it('the order and its payment facts survive without the person; personal text, songs and share links are gone', async () => {
    const userId = await createUser(db.pool);
    const { customizationId, orderId, shareTokens } = await paidOrderWithSongs(userId);
    const unused = await createCustomizationRow(db.pool, userId);

    await db.pool.query('delete from auth.users where id = $1', [userId]);

    const { rows: orders } = await db.pool.query(
      'select user_id, status, amount, currency, stripe_payment_intent_id, customization_id, account_deleted_at is not null as deleted from public.orders where id = $1',
      [orderId],
    );
    expect(orders).toEqual([
      { user_id: null, status: 'paid', amount: 2900, currency: 'usd', stripe_payment_intent_id: 'pi_test_1', customization_id: customizationId, deleted: true },
    ]);
    const { rows: customization } = await db.pool.query(
      'select user_id, recipient_name, occasion, genre, mood, story, occasion_date from public.customizations where id = $1',
      [customizationId],
    );
    expect(customization).toEqual([
      {
        user_id: null,
        recipient_name: '[deleted]',
        occasion: '[deleted]',
        genre: '[deleted]',
        mood: '[deleted]',
        story: '[deleted]',
        occasion_date: '2026-12-24',
      },
    ]);
    expect((await db.pool.query('select 1 from public.customizations where id = $1', [unused])).rowCount).toBe(0);
    expect((await db.pool.query('select 1 from public.song_variants where order_id = $1', [orderId])).rowCount).toBe(0);
    for (const token of shareTokens) expect((await db.pool.query('select * from public.get_shared_song($1)', [token])).rowCount).toBe(0);
    // The provider-call ledger (what was paid to the provider) stays with the order.
    expect((await db.pool.query('select 1 from public.provider_calls where order_id = $1', [orderId])).rowCount).toBe(1);
  });

  it('a user with no orders is simply deleted with their customizations; other users are untouched', async () => {
    const leaving = await createUser(db.pool);
    const staying = await createUser(db.pool);
    await createCustomizationRow(db.pool, leaving);
    const { orderId } = await paidOrderWithSongs(staying);
    await db.pool.query('delete from auth.users where id = $1', [leaving]);
    expect((await db.pool.query('select 1 from public.customizations where user_id = $1', [leaving])).rowCount).toBe(0);
    const { rows } = await db.pool.query('select user_id from public.orders where id = $1', [orderId]);
    expect(rows[0].user_id).toBe(staying);
    expect((await db.pool.query('select 1 from public.song_variants where order_id = $1', [orderId])).rowCount).toBe(3);
  });
});
