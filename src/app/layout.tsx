import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { pageSession } from '../server/page-session';
import './globals.css';

export const metadata: Metadata = {
  title: 'SongSwipe',
  description: 'Personalised songs, three variants to choose from.',
  // Share tokens live in page URLs: no Referer ever leaves for another origin.
  // Not `no-referrer`, under which browsers send `Origin: null` with our own
  // POSTs, and the Origin check on cookie requests needs the real one.
  referrer: 'same-origin',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await pageSession();
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link className="brand" href="/">
            <span aria-hidden>♪ </span>SongSwipe
          </Link>
          <nav className="site-nav" aria-label="Main">
            <Link href="/songs/new">Create a song</Link>
            {session ? (
              <>
                <Link href="/orders">Your orders</Link>
                <form method="post" action="/api/auth/sign-out">
                  <button type="submit" className="link">
                    Sign out
                  </button>
                </form>
              </>
            ) : (
              <Link href="/sign-in">Sign in</Link>
            )}
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
