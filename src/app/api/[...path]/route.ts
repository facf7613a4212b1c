import { NotFoundError } from '@/errors';
import { withRoute } from '@/server/route';

/** Unknown API paths answer JSON (404 `not_found`), like every other API error, not the HTML 404 page. */
const notFound = withRoute<{ path: string[] }>({ route: 'unknown-api-route' }, () => {
  throw new NotFoundError('no such API route');
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
