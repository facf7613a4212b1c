import { NotFoundError } from '../../../../errors';
import { errorResponse } from '../../../../server/http';
import { webContext } from '../../../../server/web-context';
import { serveLocalObject } from '../../../../storage/serve-local-object';

/**
 * Serves the local storage driver's objects to holders of a valid, unexpired
 * signed URL (else 403), with `Range` support. With `STORAGE_DRIVER=supabase`
 * signed URLs point at Supabase Storage and this route answers 404.
 */
export async function GET(req: Request, { params }: { params: Promise<{ key: string[] }> }) {
  try {
    const { key } = await params;
    const local = webContext().localStorage;
    if (!local) throw new NotFoundError('not found');
    return await serveLocalObject(local, req, key.join('/'));
  } catch (err) {
    return errorResponse(err, { route: 'storage' });
  }
}
