import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getSharedSong } from '@/delivery/shared-song';
import { NotFoundError } from '@/errors';
import { webContext } from '@/server/web-context';
import { formatDuration } from '@/delivery/format-duration';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'A song for you · SongSwipe', robots: { index: false, follow: false } };

/** Public page for a share token: title, occasion and a player on a freshly signed URL. */
export default async function SharedSongPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let song;
  try {
    song = await getSharedSong(webContext().delivery, token);
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
  return (
    <article className="card">
      <p className="muted">A song for</p>
      <h1>{song.recipientName}</h1>
      <p>
        {song.occasion} · variant {song.variantNumber} · {formatDuration(song.durationMs)}
      </p>
      <audio controls preload="metadata" src={song.audioUrl} />
    </article>
  );
}
