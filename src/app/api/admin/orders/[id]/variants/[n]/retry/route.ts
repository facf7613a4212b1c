import { parseRetryRequest, retryFailedVariant } from '@/admin/operations';
import { withAdmin } from '@/server/route';

/**
 * Regenerate one failed variant (admin): `202 {workflowId}` (the run id, on either engine). Optional JSON
 * body `{prompt}` (a replacement prompt, ≤ 2000 characters) or
 * `{useSuggestion: true}` (the provider's suggestion from the dead letter).
 */
export const POST = withAdmin<{ id: string; n: string }>(
  { route: 'admin-retry-variant', status: 202, body: 'text' },
  async ({ ctx, params, claims, rawBody }) =>
    retryFailedVariant(ctx.db, await ctx.scheduler(), params.id, Number(params.n), parseRetryRequest(rawBody), `admin:${claims.sub}`),
);
