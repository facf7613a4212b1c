import { NotFoundError } from '@/errors';
import { withRoute } from '@/server/route';
import { serveLocalObject } from '@/storage/serve-local-object';

/**
 * Serves the local storage driver's objects to holders of a valid, unexpired
 * signed URL (else 403), with `Range` support. With `STORAGE_DRIVER=supabase`
 * signed URLs point at Supabase Storage and this route answers 404.
 */
export const GET = withRoute<{ key: string[] }>({ route: 'storage' }, ({ req, ctx, params }) => {
  if (!ctx.localStorage) throw new NotFoundError('not found');
  return serveLocalObject(ctx.localStorage, req, params.key.join('/'));
});
