import { NextResponse } from 'next/server';
import { withTransaction } from '../../../db/pool';
import { webContext } from '../../../server/web-context';

export const dynamic = 'force-dynamic';

/**
 * Readiness: 200 `{ready: true}` when the database answers and the DBOS system
 * tables (where orders are enqueued) exist; else 503 `{ready: false, error}`,
 * so a load balancer sends no traffic to a web process that cannot take an
 * order. Bounded by a 2 s statement timeout. /api/health stays the cheap liveness check.
 */
export async function GET() {
  const ctx = webContext();
  try {
    await withTransaction(ctx.db, async (tx) => {
      await tx.query(`set local statement_timeout = 2000`);
      await tx.query(`select 1 from dbos.workflow_status limit 1`);
    });
    return NextResponse.json({ ready: true }, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    // The detail goes to the log only: a database error can name users and hosts.
    ctx.log.warn({ err }, 'not ready: database or DBOS system tables unavailable');
    return NextResponse.json({ ready: false, error: 'database or DBOS system tables unavailable' }, { status: 503, headers: { 'cache-control': 'no-store' } });
  }
}
