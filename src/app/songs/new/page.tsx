import type { Metadata } from 'next';
import { getCustomization } from '../../../db/customizations';
import { withUserTransaction } from '../../../db/pool';
import { isUuid } from '../../../validation/uuid';
import { requirePageSession } from '../../../server/page-session';
import { webContext } from '../../../server/web-context';
import { SongForm, type SongFormValues } from './song-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Describe your song · SongSwipe', robots: { index: false, follow: false } };

/**
 * The customization form. `?from=<customizationId>` (a cancelled checkout's
 * return URL) fills it with that customization's values, read under RLS, so
 * only its owner gets them back.
 */
export default async function NewSongPage({ searchParams }: { searchParams: Promise<{ from?: string }> }) {
  const { from } = await searchParams;
  const claims = await requirePageSession(from ? `/songs/new?from=${encodeURIComponent(from)}` : '/songs/new');
  const earlier = from && isUuid(from) ? await withUserTransaction(webContext().db, claims, (tx) => getCustomization(tx, from)) : undefined;
  const initial: Partial<SongFormValues> = earlier
    ? {
        recipientName: earlier.recipientName,
        occasion: earlier.occasion,
        occasionDate: earlier.occasionDate,
        genre: earlier.genre,
        mood: earlier.mood,
        story: earlier.story,
        language: earlier.language,
      }
    : {};
  return (
    <>
      <h1>Describe your song</h1>
      {earlier && <p className="notice">Checkout was cancelled; nothing was charged. Your description is kept below.</p>}
      <SongForm initial={initial} />
    </>
  );
}
