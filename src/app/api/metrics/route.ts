import type client from 'prom-client';
import { createWebMetrics } from '@/ops/web-metrics';
import { withRoute } from '@/server/route';

export const dynamic = 'force-dynamic';

// One registry per process (a second registration of the same metric names would throw).
const cache = globalThis as { songswipeWebMetrics?: client.Registry };

/**
 * Prometheus text: database-wide gauges (queues by state, oldest queued age,
 * open dead letters, needs_review orders, the pause flag, provider calls and
 * webhook events by outcome). Unauthenticated like /api/health: counts only,
 * no ids; restrict it at the ingress if the counts are sensitive.
 */
export const GET = withRoute({ route: 'metrics' }, async ({ ctx }) => {
  cache.songswipeWebMetrics ??= createWebMetrics(ctx.db);
  const registry = cache.songswipeWebMetrics;
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
});
