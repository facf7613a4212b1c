import { SignJWT } from 'jose';

/**
 * Mints a Supabase-style access token (HS256, `aud`/`role` = authenticated) for
 * local runs and tests, the way Supabase Auth would after sign-in.
 * @param options.expiresIn jose duration, e.g. `'1h'`; `options.issuer` sets `iss`.
 */
export async function mintAccessToken(
  secret: string,
  userId: string,
  options: { email?: string; appMetadata?: Record<string, unknown>; userMetadata?: Record<string, unknown>; expiresIn?: string; issuer?: string } = {},
): Promise<string> {
  const token = new SignJWT({
    role: 'authenticated',
    email: options.email,
    app_metadata: options.appMetadata ?? { provider: 'email' },
    user_metadata: options.userMetadata ?? {},
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h');
  // Supabase sets `iss` = `<SUPABASE_URL>/auth/v1`; checked when SUPABASE_URL is configured.
  if (options.issuer) token.setIssuer(options.issuer);
  return token.sign(new TextEncoder().encode(secret));
}
