import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'SongSwipe',
  description: 'Personalised songs, three variants to choose from.',
  referrer: 'no-referrer',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="brand">♪ SongSwipe</header>
        <main>{children}</main>
      </body>
    </html>
  );
}
