import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '@/errors';
import { withPagesRoute } from '@/server/pages-route';
import { planLocalObjectAnswer } from '@/storage/serve-local-object';

// Audio bytes, streamed: no body parsing, and no warning for answers over 4 MB.
export const config = { api: { bodyParser: false, responseLimit: false } };

/**
 * `GET|HEAD /api/storage/<key>?exp=&sig=`: the local storage driver's objects
 * for holders of a valid, unexpired signed URL (else 403), with `Range`
 * support; 404 with STORAGE_DRIVER=supabase (signed URLs point there).
 *
 * A Pages API route, not an App Router route handler, on purpose: Next.js
 * sends a route handler's Response through `sendResponse`, which drops
 * Content-Length (and Content-Encoding, Transfer-Encoding) from every answer,
 * so 200, 206 and HEAD all went out without it, and Safari/iOS will not play
 * audio without it (issue 12). Here the Node response is ours to frame.
 */
export default withPagesRoute({ route: 'storage', methods: ['GET', 'HEAD'] }, async ({ req, res, ctx }) => {
  const local = ctx.localStorage;
  if (!local) throw new NotFoundError('not found');
  const url = new URL(req.url ?? '/', 'http://localhost');
  let key: string;
  try {
    key = decodeURIComponent(url.pathname.replace(/^\/api\/storage\//, ''));
  } catch {
    throw new NotFoundError('no such object'); // a malformed %-escape in the key
  }
  const answer = await planLocalObjectAnswer(local, key, url.searchParams, req.headers.range ?? null);
  res.writeHead(answer.status, answer.headers);
  if (!answer.bytes || req.method === 'HEAD') {
    res.end();
    return;
  }
  // a client that goes away mid-stream rejects this; the wrapper then destroys the response
  await pipeline(createReadStream(answer.bytes.file, { start: answer.bytes.start, end: answer.bytes.end }), res);
});
