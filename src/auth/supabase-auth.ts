import { type CookieOptions, combineChunks, createServerClient, stringFromBase64URL } from '@supabase/ssr';
import type { EmailOtpType, SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { z } from 'zod';
import type { Env } from '@/config/env';
import { ServiceUnavailableError, UnauthorizedError, ValidationError } from '@/errors';
import { parseInput } from '@/validation/parse-input';
import { nextPathSchema, parseSignInForm } from './sign-in-form';

/**
 * Name of Supabase Auth's session cookie (chunked as `.0`, `.1`… when long).
 * Set explicitly rather than derived from the project ref, so the session
 * reader below and `@supabase/ssr` always agree on it.
 */
export const SUPABASE_SESSION_COOKIE = 'sb-songswipe-auth-token';

/** A cookie as `@supabase/ssr` reads and writes it. */
export interface SupabaseCookie {
  name: string;
  value: string;
  options?: CookieOptions;
}

/** Where the Supabase client reads the request's cookies and writes the response's. */
export interface CookieJar {
  getAll(): { name: string; value: string }[];
  setAll(cookies: SupabaseCookie[]): void;
}

/** Supabase Auth is configured: the project URL and its publishable key. */
export type SupabaseAuthEnv = Env & { SUPABASE_URL: string; SUPABASE_PUBLISHABLE_KEY: string };

/**
 * A server-side Supabase client whose auth session lives in cookies
 * (`@supabase/ssr` createServerClient, getAll/setAll as its docs require), PKCE
 * flow. The cookies are httpOnly: no page script of ours reads the session
 * (every sign-in step runs on the server), so an injected script cannot steal it.
 *
 * `realtime.transport` is `ws` because `@supabase/supabase-js` 2.119 builds its
 * realtime client inside `createClient`, and that throws on Node 20 ("Node.js
 * detected but native WebSocket not found"; Node 22 has one). We never open a
 * realtime channel; the transport only lets the client be built.
 */
export function createSupabaseAuthClient(e: SupabaseAuthEnv, appUrl: string, jar: CookieJar): SupabaseClient {
  return createServerClient(e.SUPABASE_URL, e.SUPABASE_PUBLISHABLE_KEY, {
    cookies: { getAll: () => jar.getAll(), setAll: (cookies) => jar.setAll(cookies) },
    cookieOptions: { name: SUPABASE_SESSION_COOKIE, httpOnly: true, sameSite: 'lax', secure: appUrl.startsWith('https:'), path: '/' },
    auth: { flowType: 'pkce', autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as unknown as NonNullable<NonNullable<Parameters<typeof createServerClient>[2]['realtime']>['transport']> },
  }) as SupabaseClient;
}

const storedSessionSchema = z.looseObject({ access_token: z.string().min(1) });

/**
 * The access token in Supabase Auth's session cookie, read the way
 * `@supabase/ssr` stores it (chunks joined; `base64-` prefix = base64url JSON),
 * without refreshing it: the caller verifies the token itself (JWKS, src/auth/jwt.ts),
 * and only the proxy refreshes, because only it can write the rotated cookie back.
 * @returns the JWT, or undefined when there is no (readable) session cookie.
 */
export async function supabaseSessionAccessToken(cookies: { name: string; value: string }[]): Promise<string | undefined> {
  const byName = new Map(cookies.map((c) => [c.name, c.value]));
  const stored = await combineChunks(SUPABASE_SESSION_COOKIE, (name) => byName.get(name));
  if (!stored) return undefined;
  try {
    const json = stored.startsWith('base64-') ? stringFromBase64URL(stored.slice('base64-'.length)) : stored;
    const parsed = storedSessionSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data.access_token : undefined;
  } catch {
    return undefined; // a mangled cookie is no session
  }
}

/** Whether any of `names` is (a chunk of) Supabase Auth's session cookie. */
export function hasSupabaseSessionCookie(names: string[]): boolean {
  return names.some((n) => n === SUPABASE_SESSION_COOKIE || n.startsWith(`${SUPABASE_SESSION_COOKIE}.`));
}

/**
 * Emails a magic link (Supabase Auth `signInWithOtp`, PKCE): the link comes
 * back to `/auth/callback?next=…`, and the code verifier waits in a cookie set
 * through `jar`. Supabase creates the user on first sign-in.
 * @param form the posted fields `{email, next?}`.
 * @returns the email and the path to go to after signing in.
 * @throws ValidationError (400) for a bad email or one Supabase refuses;
 *   ServiceUnavailableError (503) when Supabase Auth fails or rate-limits.
 */
export async function requestMagicLink(
  e: SupabaseAuthEnv,
  appUrl: string,
  jar: CookieJar,
  form: Record<string, unknown>,
): Promise<{ email: string; next: string }> {
  const { email, next } = parseSignInForm(form);
  const callback = new URL('/auth/callback', appUrl);
  callback.searchParams.set('next', next);
  const { error } = await createSupabaseAuthClient(e, appUrl, jar).auth.signInWithOtp({
    email,
    options: { emailRedirectTo: callback.href, shouldCreateUser: true },
  });
  if (error) {
    if (error.status === 400 || error.status === 422) throw new ValidationError('invalid sign-in', { email: [error.message] });
    throw new ServiceUnavailableError('could not send the sign-in email; try again shortly');
  }
  return { email, next };
}

const emailCodeSchema = z.object({
  email: z.email('must be an email address').max(254),
  // Supabase Auth's email OTP: 6 digits by default, up to 10 (Auth → Email OTP length)
  code: z
    .string()
    .trim()
    .regex(/^\d{6,10}$/, 'must be the 6-digit code from the email'),
  next: nextPathSchema.default('/orders'),
});

/**
 * Signs in with the code printed in the sign-in email (`verifyOtp` with
 * `{email, token, type: 'email'}`): for a person who reads the email on another
 * device, where the PKCE link cannot work (its code verifier is in this
 * browser's cookies). The session cookies are written through `jar`.
 * @param form the posted fields `{email, code, next?}`.
 * @returns the path to go to next.
 * @throws ValidationError (400) for a malformed email or code;
 *   UnauthorizedError (401) for a wrong, used or expired code.
 */
export async function verifyEmailCode(e: SupabaseAuthEnv, appUrl: string, jar: CookieJar, form: Record<string, unknown>): Promise<string> {
  const { email, code, next } = parseInput(emailCodeSchema, form, 'invalid code');
  const { error } = await createSupabaseAuthClient(e, appUrl, jar).auth.verifyOtp({ email, token: code, type: 'email' });
  if (error) throw new UnauthorizedError('that code is wrong or has expired; check the latest email or ask for a new one');
  return next;
}

const EMAIL_OTP_TYPES: readonly EmailOtpType[] = ['magiclink', 'email', 'signup', 'invite', 'recovery', 'email_change'];

/**
 * Finishes a sign-in from the email's link, as Supabase documents for the App
 * Router: `?code=` (PKCE: `exchangeCodeForSession`, the verifier from the
 * cookie set by requestMagicLink, so the link works in the browser that asked
 * for it) or `?token_hash=&type=` (`verifyOtp`, an email template linking to
 * `/auth/confirm`). The session cookies are written through `jar`.
 * @returns the path to go to next (a path on this site only).
 * @throws UnauthorizedError (401) for a missing, used, expired or foreign link.
 */
export async function completeMagicLinkSignIn(e: SupabaseAuthEnv, appUrl: string, jar: CookieJar, params: URLSearchParams): Promise<string> {
  const next = nextPathSchema.parse(params.get('next') ?? '/orders');
  const auth = createSupabaseAuthClient(e, appUrl, jar).auth;
  const code = params.get('code');
  const tokenHash = params.get('token_hash');
  const type = params.get('type') as EmailOtpType | null;
  let failed = true;
  if (code) failed = !!(await auth.exchangeCodeForSession(code)).error;
  else if (tokenHash && type && EMAIL_OTP_TYPES.includes(type)) failed = !!(await auth.verifyOtp({ token_hash: tokenHash, type })).error;
  if (failed) throw new UnauthorizedError('this sign-in link is invalid or has expired; ask for a new one');
  return next;
}
