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
export async function setAppMetadataRole(db: Queryable, { userId, role }: { userId: string; role: string }): Promise<void> {
  await db.query(`update auth.users set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || jsonb_build_object('role', $2::text) where id = $1`, [
    userId,
    role,
  ]);
}

/**
 * The id of the `auth.users` row with `email` (case-insensitive), created when
 * there is none: the dev sign-in's stand-in for Supabase Auth's sign-up. Run it
 * in a transaction: the advisory lock keyed on the email makes two concurrent
 * first sign-ins create one user, not two.
 */
export async function ensureUserByEmail(db: Queryable, email: string): Promise<string> {
  await db.query(`select pg_advisory_xact_lock(hashtext('auth.users:' || lower($1)))`, [email]);
  const existing = await findUserIdByEmail(db, email);
  if (existing) return existing;
  const { rows } = await db.query<{ id: string }>(
    `insert into auth.users (id, email, raw_app_meta_data, raw_user_meta_data)
     values (gen_random_uuid(), lower($1), '{"provider":"email","providers":["email"]}'::jsonb, '{}'::jsonb) returning id`,
    [email],
  );
  return rows[0]!.id;
}
