import { NextResponse } from 'next/server';
import { requireAdmin } from '../../../../admin/operations';
import { selectFailedJobs } from '../../../../db/failed-job-reads';
import { withUserTransaction } from '../../../../db/pool';
import { errorResponse } from '../../../../server/http';
import { webContext } from '../../../../server/web-context';

/** Dead-lettered jobs (admin), read under RLS; `?all=1` includes resolved ones. */
export async function GET(req: Request) {
  try {
    const ctx = webContext();
    const claims = await ctx.authenticate(req);
    requireAdmin(claims);
    const includeResolved = new URL(req.url).searchParams.get('all') === '1';
    const jobs = await withUserTransaction(ctx.db, claims, (tx) => selectFailedJobs(tx, { includeResolved }));
    return NextResponse.json(jobs, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    return errorResponse(err, { route: 'admin-failed-jobs' });
  }
}
