import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parseRange } from './byte-range';
import type { LocalStorage } from './local-storage';

/**
 * Answers a GET of a local signed URL (`/api/storage/<key>?exp=&sig=`): the
 * object's bytes, honouring a single `Range: bytes=…` (206), which browsers'
 * audio players need to seek and Safari needs to play at all.
 * @param key the object key, already URL-decoded.
 * @throws ForbiddenError (403) for a tampered or expired URL; NotFoundError (404).
 */
export async function serveLocalObject(storage: LocalStorage, req: Request, key: string): Promise<Response> {
  const url = new URL(req.url);
  const object = await storage.resolveSigned(key, url.searchParams.get('exp'), url.searchParams.get('sig'));
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
}
