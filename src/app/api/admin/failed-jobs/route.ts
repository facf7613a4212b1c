import { selectFailedJobs } from '@/db/failed-job-reads';
import { withUserTransaction } from '@/db/pool';
import { withAdmin } from '@/server/route';

/** Dead-lettered jobs (admin), read under RLS; `?all=1` includes resolved ones. */
export const GET = withAdmin({ route: 'admin-failed-jobs', headers: { 'cache-control': 'no-store' } }, ({ req, ctx, claims }) =>
  withUserTransaction(ctx.db, claims, (tx) => selectFailedJobs(tx, { includeResolved: new URL(req.url).searchParams.get('all') === '1' })),
);
