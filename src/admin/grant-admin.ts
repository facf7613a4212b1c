import { supabaseServerHeaders } from '../config/supabase-keys';
import { findUserIdByEmail, setAppMetadataRole } from '../db/auth-users';
import type { Queryable } from '../db/pool';
import { NotFoundError } from '../errors';

export interface GrantAdminDeps {
  /** Privileged connection (reads auth.users; writes it when no Auth server is configured). */
  db: Queryable;
  /** The project's Auth admin API, when configured: SUPABASE_URL and a server key. */
  supabase?: { url: string; serverKey: string };
}

/**
 * Makes the user with `email` an admin: `app_metadata.role = 'admin'`, the only
 * place admin rights come from (users can edit `user_metadata`, never this).
 * With Supabase configured it goes through the Auth admin API
 * (`PUT /auth/v1/admin/users/:id`, which merges `app_metadata`), so Supabase
 * Auth puts it into the user's next access token (after their next refresh, at
 * most the token lifetime); otherwise it writes `auth.users` directly.
 * @returns the user id and the path taken.
 * @throws NotFoundError when no user has that email; Error with the API's status and message.
 */
export async function grantAdmin(deps: GrantAdminDeps, email: string): Promise<{ userId: string; via: 'auth-admin-api' | 'database' }> {
  const userId = await findUserIdByEmail(deps.db, email);
  if (!userId) throw new NotFoundError(`no user with email ${email}`);
  if (!deps.supabase) {
    await setAppMetadataRole(deps.db, { userId, role: 'admin' });
    return { userId, via: 'database' };
  }
  const res = await fetch(`${deps.supabase.url.replace(/\/$/, '')}/auth/v1/admin/users/${userId}`, {
    method: 'PUT',
    headers: { ...supabaseServerHeaders(deps.supabase.serverKey), 'content-type': 'application/json' },
    body: JSON.stringify({ app_metadata: { role: 'admin' } }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { msg?: string; message?: string; error_description?: string };
    throw new Error(`Supabase Auth admin API answered ${res.status}: ${body.msg ?? body.message ?? body.error_description ?? res.statusText}`);
  }
  return { userId, via: 'auth-admin-api' };
}
