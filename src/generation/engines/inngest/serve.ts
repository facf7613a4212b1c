import type { Inngest } from 'inngest';
import { serve } from 'inngest/next';
import type { GenerationDeps } from '../../generate-song';
import { createGenerationFunctions } from './functions';

/** Where the app serves its functions (src/app/api/inngest/route.ts). */
export const INNGEST_SERVE_PATH = '/api/inngest';

/**
 * Vercel's limit on one invocation of the serve route, s: `maxDuration` in
 * src/app/api/inngest/route.ts (kept equal to this literal; Next.js needs the
 * literal there). 300 s is the most a Hobby plan allows, and the default with
 * Fluid compute on every plan (https://vercel.com/docs/functions/configuring-functions/duration).
 */
export const SERVE_MAX_DURATION_S = 300;

/**
 * The longest one provider attempt may take on Inngest, ms: one attempt is one
 * step, and one step runs in one invocation of the serve route, so it must end
 * (and its audio be stored and recorded) inside SERVE_MAX_DURATION_S. An
 * ElevenLabs song takes up to 150 s (README "capacity"); 240 s leaves 90 s of
 * that for the call's timeout margin plus 60 s for the upload and the writes.
 */
export const INNGEST_ATTEMPT_TIMEOUT_CAP_MS = 240_000;

/**
 * The Next.js handlers (`GET`, `POST`, `PUT`) of the Inngest serve endpoint:
 * - `PUT` syncs: registers the functions (with their concurrency, priority,
 *   cancellation and retry config) with the Inngest server of `inngest`;
 * - `POST` runs a step of a function, as the Inngest server asks; outside dev
 *   mode the SDK refuses a request not signed with INNGEST_SIGNING_KEY;
 * - `GET` describes the endpoint (introspection).
 * Docs: https://www.inngest.com/docs/reference/serve
 * @param serveOrigin the app's public origin (APP_URL), so a sync registers a URL Inngest can reach.
 */
export function createInngestServeHandler(inngest: Inngest, deps: GenerationDeps, options: { concurrency: number; serveOrigin?: string }) {
  const fns = createGenerationFunctions(inngest, deps, { concurrency: options.concurrency });
  return serve({ client: inngest, functions: fns.all, servePath: INNGEST_SERVE_PATH, serveOrigin: options.serveOrigin });
}
