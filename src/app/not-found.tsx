import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Not found · SongSwipe', robots: { index: false, follow: false } };

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>This link does not lead to anything here. It may be mistyped, belong to someone else, or the song is not ready yet.</p>
    </>
  );
}
