import { NextResponse } from 'next/server';
import { requireAdmin, resumeGenerationQueue } from '../../../../../admin/operations';
import { errorResponse } from '../../../../../server/http';
import { webContext } from '../../../../../server/web-context';

/** Resume provider calls after a pause (admin): `{resumed}`. */
export async function POST(req: Request) {
  try {
    const ctx = webContext();
    requireAdmin(await ctx.authenticate(req));
    return NextResponse.json(await resumeGenerationQueue(ctx.db));
  } catch (err) {
    return errorResponse(err, { route: 'admin-resume-queue' });
  }
}
