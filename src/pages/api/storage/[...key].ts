import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { NextApiRequest, NextApiResponse } from 'next';
import { NotFoundError } from '@/errors';
import { logger } from '@/logging/logger';
import { errorResponse } from '@/server/http';
import { webContext } from '@/server/web-context';
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
export default async function handler(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    await send(res, errorResponse(new NotFoundError('not found')));
    return;
  }
  try {
    const local = webContext().localStorage;
    if (!local) throw new NotFoundError('not found');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const key = decodeURIComponent(url.pathname.replace(/^\/api\/storage\//, ''));
    const answer = await planLocalObjectAnswer(local, key, url.searchParams, req.headers.range ?? null);
    res.writeHead(answer.status, answer.headers);
    if (!answer.bytes || req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(answer.bytes.file, { start: answer.bytes.start, end: answer.bytes.end }), res);
  } catch (err) {
    if (res.headersSent) {
      res.destroy(); // the client went away mid-stream, or the file did
      return;
    }
    const answerable = err instanceof URIError ? new NotFoundError('no such object') : err; // a malformed %-escape in the key
    // the one error shape of every API route ({error:{code,message}}), from the same mapping
    await send(res, errorResponse(answerable, logger().child({ route: 'storage' })));
  }
}

/** Writes a web `Response` (an error answer) to the Node response. */
async function send(res: NextApiResponse, answer: Response): Promise<void> {
  res.status(answer.status);
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  res.end(await answer.text());
}
