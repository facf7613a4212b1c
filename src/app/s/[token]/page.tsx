import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { formatDuration } from '../../../delivery/format-duration';
import { getSharedSong } from '../../../delivery/shared-song';
import { NotFoundError } from '../../../errors';
import { webContext } from '../../../server/web-context';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ token: string }> };

/** One lookup per request, shared by the metadata and the page. */
const sharedSong = cache(async (token: string) => {
  try {
    return await getSharedSong(webContext().delivery, token);
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
});

const NOINDEX = { index: false, follow: false } as const;

/**
 * Link previews in messengers (Open Graph, Twitter card): the recipient and
 * occasion only, never the story, which is the buyer's private text. Never indexed.
 */
export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const song = await sharedSong((await params).token);
  const title = `A song for ${song.recipientName}`;
  const description = `A personalised ${song.occasion} song (${formatDuration(song.durationMs)}), made with SongSwipe.`;
  return {
    title: `${title} · SongSwipe`,
    description,
    robots: NOINDEX,
    openGraph: { title, description, type: 'music.song', siteName: 'SongSwipe' },
    twitter: { card: 'summary', title, description },
  };
}

/** Public page for a share token: recipient, occasion and a player on a freshly signed URL. */
export default async function SharedSongPage({ params }: Params) {
  const song = await sharedSong((await params).token);
  return (
    <article className="card">
      <p className="muted">A song for</p>
      <h1>{song.recipientName}</h1>
      <p>
        {song.occasion} · {formatDuration(song.durationMs)}
      </p>
      <audio controls preload="metadata" src={song.audioUrl} aria-label={`Song for ${song.recipientName}`} data-testid="shared-audio" />
      <p className="muted">
        Made with <a href="/">SongSwipe</a>.
      </p>
    </article>
  );
}
