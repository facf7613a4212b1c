import type { Queryable } from './pool';

/** The id of the Supabase Auth user with `email` (case-insensitive), or undefined. */
export async function findUserIdByEmail(db: Queryable, email: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>('select id from auth.users where lower(email) = lower($1)', [email]);
  return rows[0]?.id;
}

/**
 * Sets `app_metadata.role` directly in `auth.users.raw_app_meta_data`, keeping
 * the other keys: for a database with no Supabase Auth server in front of it
 * (local runs and the compat bootstrap).
 */
export async function setAppMetadataRole(db: Queryable, userId: string, role: string): Promise<void> {
  await db.query(`update auth.users set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || jsonb_build_object('role', $2::text) where id = $1`, [
    userId,
    role,
  ]);
}
