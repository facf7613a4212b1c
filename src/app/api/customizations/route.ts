import { createCustomization } from '@/customizations/create-customization';
import { withUser } from '@/server/route';

/** Store a song's description for the signed-in user: `201 {id}`. */
export const POST = withUser({ route: 'create-customization', body: 'json', status: 201 }, ({ ctx, claims, body }) =>
  createCustomization(ctx.db, claims, body),
);
