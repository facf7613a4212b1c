import { NextResponse } from 'next/server';
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, ServiceUnavailableError, UnauthorizedError, ValidationError } from '../errors';
import { logger } from '../logging/logger';

/** Largest JSON body a route accepts, bytes. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Reads a request body as text, refusing more than `maxBytes`, and reads it
 * exactly once (a webhook signature covers these exact bytes).
 * @throws PayloadTooLargeError (413)
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new PayloadTooLargeError(`body exceeds ${maxBytes} bytes`);
  const text = await req.text();
  if (Buffer.byteLength(text) > maxBytes) throw new PayloadTooLargeError(`body exceeds ${maxBytes} bytes`);
  return text;
}

/**
 * Parses a JSON request body.
 * @throws ValidationError (400) on malformed JSON; PayloadTooLargeError (413).
 */
export async function readJsonBody(req: Request, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('body is not valid JSON');
  }
}

/**
 * Maps a thrown error to a JSON response: typed errors keep their status and
 * message; anything else is a 500 with a generic message (never a stack or SQL),
 * logged with `context`.
 */
export function errorResponse(err: unknown, context: Record<string, unknown> = {}): NextResponse {
  if (err instanceof ValidationError) {
    return NextResponse.json({ error: err.message, fieldErrors: err.fieldErrors }, { status: 400 });
  }
  if (
    err instanceof NotFoundError ||
    err instanceof UnauthorizedError ||
    err instanceof ForbiddenError ||
    err instanceof ConflictError ||
    err instanceof PayloadTooLargeError ||
    err instanceof ServiceUnavailableError
  ) {
    return NextResponse.json({ error: err.message }, { status: err.status });
  }
  // Postgres data exceptions (class 22: out-of-range dates, bad encodings, …)
  // are bad input that slipped past validation, not server faults.
  if (typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('22')) {
    logger().warn({ err, ...context }, 'input rejected by the database');
    return NextResponse.json({ error: 'invalid input' }, { status: 400 });
  }
  logger().error({ err, ...context }, 'unhandled error in route');
  return NextResponse.json({ error: 'internal error' }, { status: 500 });
}
