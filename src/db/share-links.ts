import type { Queryable } from './pool';
import type { Column } from './rows';

/** One user's variant, by id: both writes name the owner (see below). */
export type OwnedVariant = { variantId: Column<'song_variants', 'id'>; userId: Column<'song_variants', 'user_id'> };

// Both writes name the owner as well as the variant: the ownership check
// (selectVisibleVariant, under RLS) ran in an earlier transaction, and the
// variant may be gone by now (an account deletion cascades to it).

/**
 * Gives `userId`'s variant a new random share token and turns sharing on.
 * @returns the new token, or undefined when that user has no such variant (any more).
 */
export async function rotateShareToken(db: Queryable, { variantId, userId }: OwnedVariant): Promise<string | undefined> {
  const { rows } = await db.query<{ share_token: Column<'song_variants', 'share_token'> }>(
    `update public.song_variants set share_token = gen_random_uuid(), sharing_enabled = true, updated_at = now()
     where id = $1 and user_id = $2 returning share_token`,
    [variantId, userId],
  );
  return rows[0]?.share_token;
}

/**
 * Turns sharing off for `userId`'s variant; its token stops opening anything.
 * @returns false when that user has no such variant (any more).
 */
export async function disableSharing(db: Queryable, { variantId, userId }: OwnedVariant): Promise<boolean> {
  const { rowCount } = await db.query(`update public.song_variants set sharing_enabled = false, updated_at = now() where id = $1 and user_id = $2`, [
    variantId,
    userId,
  ]);
  return (rowCount ?? 0) > 0;
}

/** The variant's id if the caller can see it. Run under RLS: only the owner can. */
export async function selectVisibleVariant(db: Queryable, variantId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>('select id from public.song_variants where id = $1', [variantId]);
  return rows[0]?.id;
}
