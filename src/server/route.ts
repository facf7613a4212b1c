import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { requireAdmin } from '@/admin/operations';
import type { JwtClaims } from '@/db/pool';
import { logger } from '@/logging/logger';
import { errorResponse, MAX_JSON_BODY_BYTES, parseJsonBody, readBodyText } from './http';
import { type WebContext, webContext } from './web-context';

/**
 * One way to write an API route: a wrapper owns everything but the domain call.
 * In order, for every request:
 * 1. a request id: the caller's `x-request-id` when it is safe to log and echo
 *    (REQUEST_ID), else a new UUID; every answer carries it back as `x-request-id`;
 * 2. a child logger carrying `requestId` and `route`;
 * 3. the body, when the route takes one, read and size-checked before anything
 *    else: Next.js buffers an unread body as fast as it arrives, so reading (and
 *    refusing) it at once is what bounds memory, even for an unauthenticated caller;
 * 4. authentication (`withUser`, `withAdmin`, `withOptionalUser`);
 * 5. the handler; a returned Response is sent as is, anything else as JSON with
 *    the route's status and headers;
 * 6. error mapping: every throw becomes `{"error": {"code", "message", "fields"?}}`
 *    (src/server/http.ts errorResponse), never a stack or SQL.
 */

/** Caller-supplied request ids we echo: short, and nothing a log line or header could be bent by. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RouteOptions {
  /** Label in every log line of the route, e.g. `create-checkout`. */
  route: string;
  /**
   * The request body: `json` parses it into `body`; `text` keeps the exact text in
   * `rawBody` (a webhook signature covers those bytes). Unset: not read.
   */
  body?: 'json' | 'text';
  /** Body limit, bytes (default MAX_JSON_BODY_BYTES, 64 KiB); a larger body is a 413 `payload_too_large`. */
  maxBodyBytes?: number;
  /** Status of a successful JSON answer (default 200). */
  status?: number;
  /** Headers of a successful JSON answer, e.g. `cache-control`. */
  headers?: Record<string, string>;
}

export interface RouteArgs<P> {
  req: Request;
  /** The route's awaited dynamic segments. */
  params: P;
  /** The web app's dependencies, built on first use. */
  ctx: WebContext;
  /** Child logger with `requestId` and `route`. */
  log: Logger;
  requestId: string;
  /** The parsed JSON body with `body: 'json'`; else undefined. */
  body: unknown;
  /** The body's exact text with `body: 'text'` or `'json'`; else ''. */
  rawBody: string;
}

export type UserRouteArgs<P> = RouteArgs<P> & { claims: JwtClaims };
export type OptionalUserRouteArgs<P> = RouteArgs<P> & { claims: JwtClaims | null };

/** What Next.js calls: `(request, { params })`. */
export type RouteHandler<P> = (req: Request, context: { params: Promise<P> }) => Promise<Response>;

type NoParams = Record<string, never>;

/** A route open to anyone (share links, signed storage URLs, Stripe's webhook, health). */
export function withRoute<P = NoParams>(options: RouteOptions, handler: (args: RouteArgs<P>) => unknown): RouteHandler<P> {
  return async (req, context) => {
    const requestId = requestIdOf(req);
    let log = logger().child({ component: 'web', requestId, route: options.route });
    let response: Response;
    try {
      const rawBody = options.body ? await readBodyText(req, options.maxBodyBytes ?? MAX_JSON_BODY_BYTES) : '';
      const body = options.body === 'json' ? parseJsonBody(rawBody) : undefined;
      const ctx = webContext();
      log = ctx.log.child({ requestId, route: options.route });
      const params = (await context?.params) ?? ({} as P);
      const result = await handler({ req, params, ctx, log, requestId, body, rawBody });
      response = result instanceof Response ? result : Response.json(result, { status: options.status ?? 200, headers: options.headers });
    } catch (err) {
      response = errorResponse(err, log);
    }
    return withRequestId(response, requestId);
  };
}

/** A signed-in user's route: `claims` are the verified bearer token's (401 `unauthorized`/`token_expired` without one). */
export function withUser<P = NoParams>(options: RouteOptions, handler: (args: UserRouteArgs<P>) => unknown): RouteHandler<P> {
  return withRoute<P>(options, async (args) => handler({ ...args, claims: await args.ctx.authenticate(args.req) }));
}

/** An admin's route: a signed-in user whose `app_metadata.role` is `admin` (else 403 `forbidden`). */
export function withAdmin<P = NoParams>(options: RouteOptions, handler: (args: UserRouteArgs<P>) => unknown): RouteHandler<P> {
  return withUser<P>(options, (args) => {
    requireAdmin(args.claims);
    return handler(args);
  });
}

/**
 * A route that answers strangers like a missing resource (404) rather than
 * with a 401: `claims` is null when the bearer token is missing or invalid.
 */
export function withOptionalUser<P = NoParams>(options: RouteOptions, handler: (args: OptionalUserRouteArgs<P>) => unknown): RouteHandler<P> {
  return withRoute<P>(options, async (args) => handler({ ...args, claims: await args.ctx.authenticateIfPresent(args.req) }));
}

function requestIdOf(req: Request): string {
  const given = req.headers.get('x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

function withRequestId(response: Response, requestId: string): Response {
  try {
    response.headers.set('x-request-id', requestId);
    return response;
  } catch {
    // A Response with immutable headers (e.g. one passed through from fetch): copy it.
    const copy = new Response(response.body, response);
    copy.headers.set('x-request-id', requestId);
    return copy;
  }
}
