import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { devSignInEnabled } from '../../auth/dev-sign-in';
import { supabaseAuthEnabled } from '../../config/env';
import { webContext } from '../../server/web-context';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · SongSwipe', robots: { index: false, follow: false } };

type Search = Promise<{ email?: string; next?: string; error?: string; sent?: string }>;

/**
 * Sign-in, as the mode allows (404 when neither is on):
 * - Supabase Auth configured: enter an email, get a magic link (POST
 *   /api/auth/magic-link); the link lands on /auth/callback, which sets the
 *   session cookie; or type the email's code (POST /api/auth/verify-code),
 *   which works from any device;
 * - local mode without Supabase: the dev sign-in, no password, no email.
 * Plain forms, so both work before any script loads.
 */
export default async function SignInPage({ searchParams }: { searchParams: Search }) {
  const e = webContext().env;
  const supabase = supabaseAuthEnabled(e);
  if (!supabase && !devSignInEnabled(e)) notFound();
  const { email, next, error, sent } = await searchParams;
  if (supabase && sent === '1') {
    return (
      <article className="card">
        <h1>Check your email</h1>
        <p role="status">
          We sent a sign-in link to <strong>{email}</strong>. Open it on this device to finish signing in. The link works once and expires soon.
        </p>
        <form method="post" action="/api/auth/verify-code" noValidate>
          <input type="hidden" name="email" value={email ?? ''} />
          <input type="hidden" name="next" value={next ?? '/orders'} />
          <div className="field">
            <label htmlFor="code">Or enter the code from the email</label>
            <input
              id="code"
              name="code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={10}
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'code-error' : undefined}
            />
            {error && (
              <p id="code-error" className="error">
                {error}
              </p>
            )}
          </div>
          <button type="submit">Sign in with the code</button>
        </form>
        <p>
          <a href={`/sign-in?${new URLSearchParams({ email: email ?? '', next: next ?? '/orders' })}`}>Use another email</a>
        </p>
      </article>
    );
  }
  return (
    <article className="card">
      <h1>Sign in</h1>
      {supabase ? (
        <p className="notice">Enter your email and we will send you a sign-in link. No password needed.</p>
      ) : (
        <p className="notice">Local dev sign-in: no password, no email is sent. Any address signs you in as that user.</p>
      )}
      <form method="post" action={supabase ? '/api/auth/magic-link' : '/api/auth/dev-sign-in'} noValidate>
        <input type="hidden" name="next" value={next ?? '/orders'} />
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="email"
            required
            defaultValue={email ?? ''}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'email-error' : undefined}
          />
          {error && (
            <p id="email-error" className="error">
              {error}
            </p>
          )}
        </div>
        <button type="submit">{supabase ? 'Email me a sign-in link' : 'Sign in'}</button>
      </form>
    </article>
  );
}
