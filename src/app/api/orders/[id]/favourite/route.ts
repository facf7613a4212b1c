import { chooseFavourite } from '@/delivery/favourite';
import { withUser } from '@/server/route';

/** Owner chooses the order's favourite variant `{variantNumber}`; answers the updated order view. */
export const PUT = withUser<{ id: string }>(
  { route: 'choose-favourite', body: 'json', headers: { 'cache-control': 'no-store' } },
  ({ ctx, claims, params, body }) => chooseFavourite(ctx.delivery, claims, params.id, body),
);
