import type { Logger } from 'pino';
import { AppError, type ErrorCode, type FieldErrors, PayloadTooLargeError, ValidationError } from '../errors';
import { logger } from '../logging/logger';

/** Largest JSON body a route accepts, bytes. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Bytes of an over-limit body read and thrown away after the 413 is sent, so the
 * client sees the answer: closing a socket with unread data makes the kernel
 * send a reset, which can destroy the 413 before the client reads it (the
 * "lingering close" of RFC 9112 §9.6). Beyond this the connection is cut.
 */
const MAX_DISCARDED_BYTES = 1024 * 1024;

/**
 * Reads a request body as UTF-8 text, exactly once (a webhook signature covers
 * these exact bytes), counting bytes as they stream in: a body over `maxBytes`
 * is refused as soon as it crosses the limit, whether or not it declared a
 * `Content-Length` (a chunked upload declares none), so at most `maxBytes` plus
 * one chunk is ever held in memory. The rest of a refused body is read and
 * dropped in the background (see MAX_DISCARDED_BYTES).
 * @param maxBytes limit in bytes.
 * @throws PayloadTooLargeError (413)
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new PayloadTooLargeError(`body exceeds ${maxBytes} bytes`);
  if (Number(req.headers.get('content-length') ?? '0') > maxBytes) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      void discardRest(reader);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, received).toString('utf8');
}

async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    for (let discarded = 0; discarded < MAX_DISCARDED_BYTES; ) {
      const { done, value } = await reader.read();
      if (done) return;
      discarded += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away: nothing left to drain
  }
}

/**
 * Parses a request body read by `readBodyText`.
 * @throws ValidationError (400 `invalid_body`) on malformed JSON.
 */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('body is not valid JSON');
  }
}

/** The one error body the API answers with: `{"error": {"code", "message", "fields"?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldErrors };
}

function errorJson(status: number, code: ErrorCode, message: string, fields?: FieldErrors): Response {
  const body: ErrorBody = { error: { code, message, ...(fields && { fields }) } };
  return Response.json(body, { status });
}

/**
 * Maps a thrown error to the API's error response (see ErrorBody): an AppError
 * keeps its code, status, message and fields; a Postgres data exception is bad
 * input (400 `invalid_body`); anything else is 500 `internal_error` with a
 * generic message. Never a stack or SQL text in the body: the details go to `log`.
 */
export function errorResponse(err: unknown, log: Logger = logger()): Response {
  if (err instanceof AppError) {
    if (err.status >= 500) log.warn({ err }, `request failed: ${err.code}`);
    return errorJson(err.status, err.code, err.message, err.fields);
  }
  // Postgres data exceptions (class 22: out-of-range dates, bad encodings, …)
  // are bad input that slipped past validation, not server faults.
  if (typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('22')) {
    log.warn({ err }, 'input rejected by the database');
    return errorJson(400, 'invalid_body', 'invalid input');
  }
  log.error({ err }, 'unhandled error in route');
  return errorJson(500, 'internal_error', 'internal error');
}
