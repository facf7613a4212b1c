/**
 * Share-link changes check ownership under RLS, then write with the privileged
 * connection. The write must re-check in its own statement: the variant can
 * go (an account deletion cascades to it) between the check and the write.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors';
import type { DeliveryDeps } from '../../src/delivery/order-view';
import { disableVariantSharing, rotateVariantShareLink } from '../../src/delivery/share-links';
import { createLocalStorage } from '../../src/storage/local-storage';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, eventually } from '../support/fixtures';

let db: TestDatabase;
let deps: DeliveryDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  // never written to: share-link changes touch no storage
  deps = {
    db: db.pool,
    storage: createLocalStorage({ root: '/nonexistent/songswipe-share-link-races', signingSecret: 'k'.repeat(32), baseUrl: 'http://app.test' }),
    signedUrlTtlSeconds: 60,
    appUrl: 'http://app.test',
  };
});

async function completeVariant(): Promise<{ userId: string; variantId: string }> {
  const userId = await createUser(db.pool);
  const customization = await createCustomizationRow(db.pool, userId);
  const { rows } = await db.pool.query<{ id: string }>(
    `with o as (
       insert into public.orders (user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date)
       values ($1, $2, 'cs_' || md5(random()::text), 'paid', 2900, 'usd', '2027-01-01') returning id, user_id)
     insert into public.song_variants (order_id, user_id, variant_number, generation_status, storage_path, content_type, duration_ms, completed_at)
     select id, user_id, 1, 'complete', 'songs/x/variant-1.mp3', 'audio/mpeg', 1000, now() from o returning id`,
    [userId, customization],
  );
  return { userId, variantId: rows[0]!.id };
}

describe.each([
  ['rotating', rotateVariantShareLink, /^update public\.song_variants set share_token/],
  ['disabling', disableVariantSharing, /^update public\.song_variants set sharing_enabled = false/],
] as const)('%s a share link while the variant is deleted', (_name, change, statement) => {
  it('answers 404, not a crash or a success for a variant that is gone', async () => {
    const { userId, variantId } = await completeVariant();
    // The account deletion holds the variant's row while the change's ownership check passes.
    const deletion = await db.pool.connect();
    try {
      await deletion.query('begin');
      await deletion.query('select 1 from public.song_variants where id = $1 for update', [variantId]);
      const result = change(deps, { sub: userId, role: 'authenticated' }, variantId).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      await eventually(
        async () => {
          const { rows } = await db.pool.query<{ query: string }>(`select query from pg_stat_activity where wait_event_type = 'Lock'`);
          return rows.some((r) => statement.test(r.query.trim()));
        },
        10_000,
        'the share-link write to wait on the row lock',
      );
      await deletion.query('delete from auth.users where id = $1', [userId]);
      await deletion.query('commit');
      expect(await result).toEqual({ error: expect.any(NotFoundError) });
    } finally {
      await deletion.query('rollback').catch(() => {});
      deletion.release();
    }
  });
});
