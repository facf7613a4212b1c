import type { NextRequest } from 'next/server';
import { appUrl } from '@/config/env';
import { NotFoundError } from '@/errors';
import { createInngestClient } from '@/generation/engines/inngest/client';
import { createInngestServeHandler, INNGEST_ATTEMPT_TIMEOUT_CAP_MS } from '@/generation/engines/inngest/serve';
import { createMusicProvider, songLengthMs, variantRetryPolicy } from '@/generation/providers/create-provider';
import { type RouteArgs, withRoute } from '@/server/route';

/**
 * Vercel's limit for one invocation, s (= SERVE_MAX_DURATION_S): one provider
 * attempt (an ElevenLabs song takes up to 150 s; its timeout is capped at
 * INNGEST_ATTEMPT_TIMEOUT_CAP_MS = 240 s on Inngest) plus its upload must fit in
 * one step, and a step runs in one invocation. 300 s is the Hobby maximum and
 * the Fluid compute default on every plan:
 * https://vercel.com/docs/functions/configuring-functions/duration
 */
export const maxDuration = 300;

type Handlers = ReturnType<typeof createInngestServeHandler>;
let handlers: Handlers | undefined;

/** The serve handlers, built on first use from the web context (404 unless GENERATION_ENGINE=inngest). */
function inngestHandlers({ ctx, log }: RouteArgs<Record<string, never>>): Handlers {
  if (ctx.env.GENERATION_ENGINE !== 'inngest') throw new NotFoundError('not found');
  if (handlers) return handlers;
  const e = ctx.env;
  const deps = {
    db: ctx.db,
    provider: createMusicProvider({ ...e, GENERATION_ATTEMPT_TIMEOUT_MS: Math.min(e.GENERATION_ATTEMPT_TIMEOUT_MS, INNGEST_ATTEMPT_TIMEOUT_CAP_MS) }),
    storage: ctx.storage,
    lengthMs: songLengthMs(e),
    retry: variantRetryPolicy(e),
    log: log.child({ component: 'inngest-functions' }),
  };
  handlers = createInngestServeHandler(createInngestClient(e, ctx.log), deps, { concurrency: e.GENERATION_CONCURRENCY, serveOrigin: appUrl(e) });
  return handlers;
}

const ROUTE = { route: 'inngest' };
/** Inngest's serve endpoint (src/generation/engines/inngest/serve.ts): introspection. */
export const GET = withRoute(ROUTE, (args) => inngestHandlers(args).GET(args.req as NextRequest, undefined));
/** Runs a step of a generation function; signed with INNGEST_SIGNING_KEY outside dev mode. */
export const POST = withRoute(ROUTE, (args) => inngestHandlers(args).POST(args.req as NextRequest, undefined));
/** Syncs: registers the functions with the Inngest server. */
export const PUT = withRoute(ROUTE, (args) => inngestHandlers(args).PUT(args.req as NextRequest, undefined));
