import { NextResponse } from 'next/server';
import { createCustomization } from '../../../customizations/create-customization';
import { errorResponse, readJsonBody } from '../../../server/http';
import { webContext } from '../../../server/web-context';

export async function POST(req: Request) {
  try {
    // The body first: Next.js buffers an unread request body as fast as it arrives,
    // so reading (and refusing) it at once is what bounds memory.
    const body = await readJsonBody(req);
    const ctx = webContext();
    const claims = await ctx.authenticate(req);
    const created = await createCustomization(ctx.db, claims, body);
    return NextResponse.json(created, { status: 201 });
  } catch (err) {
    return errorResponse(err, { route: 'create-customization' });
  }
}
