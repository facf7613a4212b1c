import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { type JwtClaims, withAnonTransaction, withTransaction, withUserTransaction } from '../../src/db/pool';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow } from '../support/fixtures';

let db: TestDatabase;
let userA: string;
let userB: string;
let orderA: string;
let customizationA: string;
let tokens: { complete: string; pending: string };

const claims = (sub: string, extra: Record<string, unknown> = {}): JwtClaims => ({ sub, role: 'authenticated', ...extra });
const TABLES = ['customizations', 'orders', 'song_variants', 'failed_jobs', 'stripe_events', 'provider_calls'];

/** Runs `sql` as a role and reports rows, or the Postgres error code (42501 = insufficient privilege). */
async function attempt(as: 'anon' | JwtClaims, sql: string, params: unknown[] = []): Promise<{ rows: unknown[] } | { error: string }> {
  try {
    const run = (tx: pg.PoolClient) => tx.query(sql, params);
    const result = as === 'anon' ? await withAnonTransaction(db.pool, run) : await withUserTransaction(db.pool, as, run);
    return { rows: result.rows };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  userA = await createUser(db.pool);
  userB = await createUser(db.pool);
  customizationA = await createCustomizationRow(db.pool, userA);
  await createCustomizationRow(db.pool, userB);
  await withTransaction(db.pool, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date)
       values ($1, $2, 'cs_test_rls_a', 'paid', 2900, 'usd', '2026-12-24') returning id`,
      [userA, customizationA],
    );
    orderA = rows[0]!.id;
    await tx.query(
      `insert into public.song_variants (order_id, user_id, variant_number, generation_status, storage_path, content_type, duration_ms, completed_at)
       values ($1, $2, 1, 'complete', 'songs/x/variant-1.mp3', 'audio/mpeg', 24000, now()), ($1, $2, 2, 'pending', null, null, null, null)`,
      [orderA, userA],
    );
    await tx.query(`insert into public.failed_jobs (job_type, order_id, error_message) values ('generate_variant', $1, 'boom')`, [orderA]);
    await tx.query(`insert into public.stripe_events (id, type, livemode) values ('evt_rls', 'checkout.session.completed', false)`);
    await tx.query(`insert into public.provider_calls (order_id, variant_number, provider) values ($1, 1, 'synth')`, [orderA]);
  });
  const { rows } = await db.pool.query<{ variant_number: number; share_token: string }>(
    'select variant_number, share_token from public.song_variants where order_id = $1 order by 1',
    [orderA],
  );
  tokens = { complete: rows[0]!.share_token, pending: rows[1]!.share_token };
});

describe('row-level security', () => {
  it('the owner reads their own customization, order and variants, share tokens included', async () => {
    const a = claims(userA);
    expect(await attempt(a, 'select id from public.customizations')).toEqual({ rows: [{ id: customizationA }] });
    expect(await attempt(a, 'select id from public.orders')).toEqual({ rows: [{ id: orderA }] });
    const variants = await attempt(a, 'select variant_number, share_token from public.song_variants order by 1');
    expect(variants).toEqual({
      rows: [
        { variant_number: 1, share_token: tokens.complete },
        { variant_number: 2, share_token: tokens.pending },
      ],
    });
  });

  it("user B cannot read user A's order, variants or customization", async () => {
    const b = claims(userB);
    expect(await attempt(b, 'select * from public.orders where id = $1', [orderA])).toEqual({ rows: [] });
    expect(await attempt(b, 'select * from public.song_variants where order_id = $1', [orderA])).toEqual({ rows: [] });
    expect(await attempt(b, 'select * from public.customizations where id = $1', [customizationA])).toEqual({ rows: [] });
    expect(await attempt(b, 'select * from public.song_variants where share_token = $1', [tokens.complete])).toEqual({ rows: [] });
  });

  it.each(TABLES)('anon can read nothing from public.%s', async (table) => {
    expect(await attempt('anon', `select * from public.${table}`)).toEqual({ error: '42501' });
  });

  it('anon can read nothing from auth.users or the dbos schema', async () => {
    expect(await attempt('anon', 'select * from auth.users')).toEqual({ error: '42501' });
    expect(await attempt('anon', 'select * from dbos.workflow_status')).toEqual({ error: '42501' });
    expect(await attempt(claims(userA), 'select * from dbos.workflow_status')).toEqual({ error: '42501' });
  });

  it('users cannot write orders or variants, nor change anything but variants.selected', async () => {
    const a = claims(userA);
    expect(await attempt(a, `update public.orders set status = 'refunded' where id = $1`, [orderA])).toEqual({ error: '42501' });
    expect(await attempt(a, `update public.song_variants set generation_status = 'complete' where order_id = $1`, [orderA])).toEqual({ error: '42501' });
    expect(await attempt(a, `update public.song_variants set share_token = gen_random_uuid() where order_id = $1`, [orderA])).toEqual({ error: '42501' });
    expect(await attempt(a, `delete from public.song_variants where order_id = $1`, [orderA])).toEqual({ error: '42501' });
    expect(
      await attempt(
        a,
        `insert into public.orders (user_id, customization_id, stripe_session_id, amount, currency, occasion_date) values ($1, $2, 'cs_x', 0, 'usd', '2026-01-01')`,
        [userA, customizationA],
      ),
    ).toEqual({ error: '42501' });
    // the one permitted write: selecting a variant of one's own order
    expect(
      await attempt(a, `update public.song_variants set selected = true where order_id = $1 and variant_number = 1 returning variant_number`, [orderA]),
    ).toEqual({ rows: [{ variant_number: 1 }] });
    expect(await attempt(claims(userB), `update public.song_variants set selected = false where order_id = $1 returning variant_number`, [orderA])).toEqual({
      rows: [],
    });
  });

  it('a user may not create customizations directly, for themselves or anyone (writes are API-only)', async () => {
    const insert = `insert into public.customizations (user_id, recipient_name, occasion, occasion_date, genre, mood, story) values ($1, 'X', 'y', '2026-01-01', 'g', 'm', 's') returning user_id`;
    expect(await attempt(claims(userA), insert, [userA])).toEqual({ error: '42501' });
    expect(await attempt(claims(userA), insert, [userB])).toEqual({ error: '42501' });
  });

  it('failed_jobs and stripe_events are for admins from app_metadata only, never user_metadata', async () => {
    const fake = claims(userB, { user_metadata: { role: 'admin' } });
    const real = claims(userB, { app_metadata: { role: 'admin' } });
    expect(await attempt(claims(userA), 'select id from public.failed_jobs')).toEqual({ rows: [] });
    expect(await attempt(fake, 'select id from public.failed_jobs')).toEqual({ rows: [] });
    expect(await attempt(fake, 'select id from public.stripe_events')).toEqual({ rows: [] });
    expect((await attempt(real, 'select error_message from public.failed_jobs')) as { rows: unknown[] }).toEqual({ rows: [{ error_message: 'boom' }] });
    expect(await attempt(real, 'select id from public.stripe_events')).toEqual({ rows: [{ id: 'evt_rls' }] });
  });

  it('get_shared_song returns one row for a complete variant and none for unknown or incomplete tokens', async () => {
    const call = (token: string) => attempt('anon', 'select * from public.get_shared_song($1::uuid)', [token]);
    expect(await call(tokens.complete)).toEqual({
      rows: [
        {
          variant_number: 1,
          duration_ms: 24000,
          occasion: 'birthday',
          recipient_name: 'Ada',
          storage_path: 'songs/x/variant-1.mp3',
          content_type: 'audio/mpeg',
        },
      ],
    });
    expect(await call(tokens.pending)).toEqual({ rows: [] });
    expect(await call('00000000-0000-4000-8000-000000000000')).toEqual({ rows: [] });
    expect(await call('not-a-uuid')).toEqual({ error: '22P02' }); // the API answers 404 before calling
  });
});
