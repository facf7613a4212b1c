import { NextResponse } from 'next/server';
import { requireAdmin, retryFailedVariant } from '../../../../../../../../admin/operations';
import { errorResponse } from '../../../../../../../../server/http';
import { webContext } from '../../../../../../../../server/web-context';

/** Regenerate one failed variant (admin): `202 {workflowId}`. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string; n: string }> }) {
  const { id, n } = await params;
  try {
    const ctx = webContext();
    requireAdmin(await ctx.authenticate(req));
    return NextResponse.json(await retryFailedVariant(ctx.db, await ctx.dbos(), id, Number(n)), { status: 202 });
  } catch (err) {
    return errorResponse(err, { route: 'admin-retry-variant', orderId: id, variantNumber: n });
  }
}
