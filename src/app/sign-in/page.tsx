import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { devSignInEnabled } from '../../auth/dev-sign-in';
import { webContext } from '../../server/web-context';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · SongSwipe', robots: { index: false, follow: false } };

type Search = Promise<{ email?: string; next?: string; error?: string }>;

/**
 * Local mode's dev sign-in (404 otherwise): enter an email and you are that
 * user, no password. A plain form, so it works before any script loads.
 */
export default async function SignInPage({ searchParams }: { searchParams: Search }) {
  if (!devSignInEnabled(webContext().env)) notFound();
  const { email, next, error } = await searchParams;
  return (
    <article className="card">
      <h1>Sign in</h1>
      <p className="notice">Local dev sign-in: no password, no email is sent. Any address signs you in as that user.</p>
      <form method="post" action="/api/auth/dev-sign-in" noValidate>
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
        <button type="submit">Sign in</button>
      </form>
    </article>
  );
}
