import { disableVariantSharing, rotateVariantShareLink } from '@/delivery/share-links';
import { withUser } from '@/server/route';

/** Rotate the variant's share token (owner only): the old link stops working. */
export const POST = withUser<{ id: string }>({ route: 'rotate-share-token' }, ({ ctx, claims, params }) =>
  rotateVariantShareLink(ctx.delivery, claims, params.id),
);

/** Switch sharing off for the variant (owner only). */
export const DELETE = withUser<{ id: string }>({ route: 'disable-sharing' }, ({ ctx, claims, params }) =>
  disableVariantSharing(ctx.delivery, claims, params.id),
);
