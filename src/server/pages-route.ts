import 'server-only';
import type { NextApiRequest, NextApiResponse } from 'next';
import type { Logger } from 'pino';
import { NotFoundError } from '@/errors';
import { logger } from '@/logging/logger';
import { errorResponse } from './http';
import { requestIdFrom } from './route';
import { type WebContext, webContext } from './web-context';

/**
 * `withRoute` for the one Pages API route (`src/pages/api/storage`, which must
 * frame its own Node response: see there). The same duties in the same order,
 * minus the body (these routes take none, and Next's body parser is off):
 * 1. a request id (the caller's `x-request-id` when safe, else a new UUID),
 *    sent back as `x-request-id`;
 * 2. a child logger carrying `requestId` and `route`;
 * 3. the allowed methods: any other is a 404 `not_found` with `Allow`;
 * 4. the handler, which writes the response itself;
 * 5. error mapping, before anything was sent: every throw becomes
 *    `{"error": {"code", "message"}}` (errorResponse); after the headers went
 *    out (the client left mid-stream), the connection is destroyed instead.
 */
export function withPagesRoute(
  options: { route: string; methods: readonly string[] },
  handler: (args: { req: NextApiRequest; res: NextApiResponse; ctx: WebContext; log: Logger; requestId: string }) => Promise<void>,
): (req: NextApiRequest, res: NextApiResponse) => Promise<void> {
  return async (req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = requestIdFrom(typeof header === 'string' ? header : null);
    res.setHeader('x-request-id', requestId);
    let log = logger().child({ component: 'web', requestId, route: options.route });
    try {
      if (!options.methods.includes(req.method ?? '')) {
        res.setHeader('allow', options.methods.join(', '));
        throw new NotFoundError('not found');
      }
      const ctx = webContext();
      log = ctx.log.child({ requestId, route: options.route });
      await handler({ req, res, ctx, log, requestId });
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      await send(res, errorResponse(err, log));
    }
  };
}

/** Writes a web `Response` (an error answer) to the Node response. */
async function send(res: NextApiResponse, answer: Response): Promise<void> {
  res.status(answer.status);
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  res.end(await answer.text());
}
