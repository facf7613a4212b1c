import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parseRange } from './byte-range';
import type { LocalStorage } from './local-storage';

/** What to answer for a local signed URL: status, headers, and which bytes of which file (none for a 416). */
export interface LocalObjectAnswer {
  status: 200 | 206 | 416;
  /** Always Content-Type, Accept-Ranges: bytes and Content-Length; Content-Range on 206/416. */
  headers: Record<string, string>;
  bytes?: { file: string; start: number; end: number };
}

/**
 * Plans the answer to a GET or HEAD of a local signed URL
 * (`/api/storage/<key>?exp=&sig=`): the object's bytes, honouring a single
 * `Range: bytes=…` (206), which browsers' audio players need to seek and
 * Safari needs to play at all; Safari and iOS also insist on Content-Length
 * in every answer, HEAD included (issue 12).
 * @param key the object key, already URL-decoded; `search` the URL's query string.
 * @throws ForbiddenError (403) for a tampered or expired URL; NotFoundError (404).
 */
export async function planLocalObjectAnswer(storage: LocalStorage, key: string, search: URLSearchParams, range: string | null): Promise<LocalObjectAnswer> {
  const object = await storage.resolveSigned(key, search.get('exp'), search.get('sig'));
  const headers = {
    'content-type': object.contentType,
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=300',
    'x-content-type-options': 'nosniff',
  };
  const wanted = parseRange(range, object.size);
  if (wanted === 'unsatisfiable') {
    return { status: 416, headers: { ...headers, 'content-length': '0', 'content-range': `bytes */${object.size}` } };
  }
  const { start, end } = wanted ?? { start: 0, end: object.size - 1 };
  return {
    status: wanted ? 206 : 200,
    headers: { ...headers, 'content-length': String(end - start + 1), ...(wanted && { 'content-range': `bytes ${start}-${end}/${object.size}` }) },
    bytes: { file: object.file, start, end },
  };
}

/**
 * The same answer as a Web `Response` (for tests and fetch-style callers).
 * Note that Next.js route handlers drop a Response's Content-Length, which is
 * why the HTTP route is a Pages API route (src/pages/api/storage/[...key].ts).
 */
export async function serveLocalObject(storage: LocalStorage, req: Request, key: string): Promise<Response> {
  const answer = await planLocalObjectAnswer(storage, key, new URL(req.url).searchParams, req.headers.get('range'));
  const body =
    answer.bytes && req.method !== 'HEAD'
      ? (Readable.toWeb(createReadStream(answer.bytes.file, { start: answer.bytes.start, end: answer.bytes.end })) as ReadableStream)
      : null;
  return new Response(body, { status: answer.status, headers: answer.headers });
}
