import { NextResponse } from 'next/server';

/** Unknown API paths answer JSON, like every other API error, not the HTML 404 page. */
function notFound() {
  return NextResponse.json({ error: 'no such API route' }, { status: 404 });
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
