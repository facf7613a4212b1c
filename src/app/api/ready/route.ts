import { withTransaction } from '@/db/pool';
import { ServiceUnavailableError } from '@/errors';
import { withRoute } from '@/server/route';
import { webDraining } from '@/server/web-drain';

export const dynamic = 'force-dynamic';

/**
 * Readiness: 200 `{ready: true}` when the database answers and the table
 * orders are started through exists (the DBOS system tables, or with
 * GENERATION_ENGINE=inngest the generation outbox); else 503
 * `{error: {code: 'service_unavailable', message}}` (the database's own error
 * goes to the log only: it can name users and hosts), so a load balancer sends
 * no traffic to a web process that cannot take an order. Bounded by a 2 s
 * statement timeout. 503 too once SIGTERM arrived (src/server/web-drain.ts),
 * while the process still serves for WEB_DRAIN_MS. /api/health stays the
 * cheap liveness check.
 */
export const GET = withRoute({ route: 'ready', headers: { 'cache-control': 'no-store' } }, async ({ ctx, log }) => {
  if (webDraining()) throw new ServiceUnavailableError('draining: this web process is shutting down');
  try {
    await withTransaction(ctx.db, async (tx) => {
      await tx.query(`set local statement_timeout = 2000`);
      await tx.query(ctx.env.GENERATION_ENGINE === 'inngest' ? `select 1 from public.generation_outbox limit 1` : `select 1 from dbos.workflow_status limit 1`);
    });
  } catch (err) {
    log.warn({ err }, 'not ready: database or DBOS system tables unavailable');
    throw new ServiceUnavailableError('not ready: the database or the DBOS system tables are unavailable');
  }
  return { ready: true };
});
