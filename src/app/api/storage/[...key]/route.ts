import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { errorResponse } from '../../../../server/http';
import { parseRange } from '../../../../storage/byte-range';
import { webContext } from '../../../../server/web-context';

/**
 * Serves local storage objects to holders of a valid, unexpired signed URL
 * (else 403). Honours a single `Range: bytes=…` (206), which browsers' audio
 * players need to seek and Safari needs to play at all.
 */
export async function GET(req: Request, { params }: { params: Promise<{ key: string[] }> }) {
  try {
    const { key } = await params;
    const url = new URL(req.url);
    const object = await webContext().storage.resolveSigned(key.join('/'), url.searchParams.get('exp'), url.searchParams.get('sig'));
    const headers = {
      'content-type': object.contentType,
      'accept-ranges': 'bytes',
      'cache-control': 'private, max-age=300',
      'x-content-type-options': 'nosniff',
    };
    const range = parseRange(req.headers.get('range'), object.size);
    if (range === 'unsatisfiable') {
      return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${object.size}` } });
    }
    const { start, end } = range ?? { start: 0, end: object.size - 1 };
    const stream = Readable.toWeb(createReadStream(object.file, { start, end })) as ReadableStream;
    return new Response(stream, {
      status: range ? 206 : 200,
      headers: {
        ...headers,
        'content-length': String(end - start + 1),
        ...(range && { 'content-range': `bytes ${start}-${end}/${object.size}` }),
      },
    });
  } catch (err) {
    return errorResponse(err, { route: 'storage' });
  }
}
