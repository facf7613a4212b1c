import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { errorResponse } from '../../../../server/http';
import { webContext } from '../../../../server/web-context';

/** Serves local storage objects to holders of a valid, unexpired signed URL (else 403). */
export async function GET(req: Request, { params }: { params: Promise<{ key: string[] }> }) {
  try {
    const { key } = await params;
    const url = new URL(req.url);
    const object = await webContext().storage.resolveSigned(
      key.join('/'),
      url.searchParams.get('exp'),
      url.searchParams.get('sig'),
    );
    const stream = Readable.toWeb(createReadStream(object.file)) as ReadableStream;
    return new Response(stream, {
      headers: {
        'content-type': object.contentType,
        'content-length': String(object.size),
        'cache-control': 'private, max-age=300',
        'x-content-type-options': 'nosniff',
      },
    });
  } catch (err) {
    return errorResponse(err, { route: 'storage' });
  }
}
