import { NextResponse } from 'next/server';
import { authenticate } from '../../../auth/jwt';
import { createCustomization } from '../../../customizations/create-customization';
import { errorResponse, readJsonBody } from '../../../server/http';
import { webContext } from '../../../server/web-context';

export async function POST(req: Request) {
  try {
    const ctx = webContext();
    const claims = await authenticate(req.headers, ctx.accessTokens);
    const created = await createCustomization(ctx.db, claims, await readJsonBody(req));
    return NextResponse.json(created, { status: 201 });
  } catch (err) {
    return errorResponse(err, { route: 'create-customization' });
  }
}
