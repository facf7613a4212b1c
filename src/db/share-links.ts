import type { Queryable } from './pool';

/** Gives a variant a new random share token and turns sharing on. @returns the new token. */
export async function rotateShareToken(db: Queryable, variantId: string): Promise<string> {
  const { rows } = await db.query<{ share_token: string }>(
    `update public.song_variants set share_token = gen_random_uuid(), sharing_enabled = true, updated_at = now()
     where id = $1 returning share_token`,
    [variantId],
  );
  return rows[0]!.share_token;
}

/** Turns sharing off for a variant; its token stops opening anything. */
export async function disableSharing(db: Queryable, variantId: string): Promise<void> {
  await db.query(`update public.song_variants set sharing_enabled = false, updated_at = now() where id = $1`, [variantId]);
}

/** The variant's id if the caller can see it. Run under RLS: only the owner can. */
export async function selectVisibleVariant(db: Queryable, variantId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>('select id from public.song_variants where id = $1', [variantId]);
  return rows[0]?.id;
}
