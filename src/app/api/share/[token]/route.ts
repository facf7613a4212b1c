import { getSharedSong } from '@/delivery/shared-song';
import { withRoute } from '@/server/route';

/** A shared song for whoever holds its link (see SharedSongView). The token is never logged. */
export const GET = withRoute<{ token: string }>(
  { route: 'get-shared-song', headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } },
  ({ ctx, params }) => getSharedSong(ctx.delivery, params.token),
);
