import { NextResponse } from 'next/server';
import { getSharedSong } from '../../../../delivery/shared-song';
import { errorResponse } from '../../../../server/http';
import { webContext } from '../../../../server/web-context';

export async function GET(_req: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  try {
    const song = await getSharedSong(webContext().delivery, token);
    return NextResponse.json(song, { headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
  } catch (err) {
    // the token itself is never logged
    return errorResponse(err, { route: 'get-shared-song' });
  }
}
