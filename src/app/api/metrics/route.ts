import type client from 'prom-client';
import { errorResponse } from '../../../server/http';
import { webContext } from '../../../server/web-context';
import { createWebMetrics } from '../../../ops/web-metrics';

export const dynamic = 'force-dynamic';

// One registry per process (a second registration of the same metric names would throw).
const cache = globalThis as { songswipeWebMetrics?: client.Registry };

/**
 * Prometheus text: database-wide gauges (queue by state, oldest queued age,
 * open dead letters, needs_review orders, the pause flag, provider calls and
 * webhook events by outcome). Unauthenticated like /api/health: counts only,
 * no ids; restrict it at the ingress if the counts are sensitive.
 */
export async function GET() {
  try {
    const registry = (cache.songswipeWebMetrics ??= createWebMetrics(webContext().db));
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
  } catch (err) {
    return errorResponse(err, { route: 'metrics' });
  }
}
