import { retryFailedVariant } from '@/admin/operations';
import { withAdmin } from '@/server/route';

/** Regenerate one failed variant (admin): `202 {workflowId}` (the run id, on either engine). */
export const POST = withAdmin<{ id: string; n: string }>({ route: 'admin-retry-variant', status: 202 }, async ({ ctx, params }) =>
  retryFailedVariant(ctx.db, await ctx.scheduler(), params.id, Number(params.n)),
);
