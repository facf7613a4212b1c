import { SignJWT } from 'jose';

/**
 * Mints a Supabase-style access token (HS256, `aud`/`role` = authenticated) for
 * local runs and tests, the way Supabase Auth would after sign-in.
 * @param expiresIn jose duration, e.g. `'1h'`.
 */
export async function mintAccessToken(
  secret: string,
  userId: string,
  options: { email?: string; appMetadata?: Record<string, unknown>; userMetadata?: Record<string, unknown>; expiresIn?: string } = {},
): Promise<string> {
  return new SignJWT({
    role: 'authenticated',
    email: options.email,
    app_metadata: options.appMetadata ?? { provider: 'email' },
    user_metadata: options.userMetadata ?? {},
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(secret));
}
