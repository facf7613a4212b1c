import { StorageClient, type StorageError } from '@supabase/storage-js';
import { supabaseServerHeaders } from '../config/supabase-keys';
import type { Storage } from './storage';

/** Audio types the bucket accepts (the providers write MP3; WAV for completeness). */
export const SONG_BUCKET_MIME_TYPES = ['audio/mpeg', 'audio/wav'];
/** Largest object the bucket accepts, bytes: a 10-minute 128 kbit/s MP3 is ~9.6 MB. */
export const SONG_BUCKET_SIZE_LIMIT_BYTES = 25 * 1024 * 1024;

export interface SupabaseStorageOptions {
  /** Project URL, `https://<ref>.supabase.co`; the Storage API is `<url>/storage/v1`. */
  supabaseUrl: string;
  /**
   * Server key: `sb_secret_…` (sent as `apikey` only: the gateway refuses it
   * as a bearer) or the legacy `service_role` JWT (sent as `apikey` and bearer).
   */
  serverKey: string;
  /** Private bucket holding the songs, e.g. `songs`. */
  bucket: string;
  /** Longest one Storage API request may take, ms (default 60 000). */
  requestTimeoutMs?: number;
}

function storageFailure(what: string, error: StorageError): Error {
  const status = (error as { status?: number }).status;
  const code = (error as { statusCode?: string }).statusCode;
  const detail = [status, code && code !== String(status) ? code : undefined].filter(Boolean).join('/');
  return new Error(`Supabase Storage ${what} failed${detail ? ` (${detail})` : ''}: ${error.message}`, { cause: error });
}

/** Storage answers a missing bucket with HTTP 400 and `statusCode: "404"` (or a plain 404). */
function isNotFound(error: StorageError): boolean {
  return (error as { statusCode?: string }).statusCode === '404' || (error as { status?: number }).status === 404;
}

/** The official Storage client for the project, with a per-request timeout. */
function storageClient(options: SupabaseStorageOptions): StorageClient {
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  // A hung Storage API must not hold a workflow step forever.
  const fetchWithTimeout: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) });
  return new StorageClient(`${options.supabaseUrl.replace(/\/$/, '')}/storage/v1`, supabaseServerHeaders(options.serverKey), fetchWithTimeout);
}

/**
 * Reads the songs bucket's settings without changing anything (`npm run doctor`).
 * @returns `{ exists: false }`, or whether it is public, its MIME allow-list and size limit (bytes).
 * @throws Error for any failure other than "bucket not found" (bad key, unreachable).
 */
export async function inspectSupabaseBucket(
  options: SupabaseStorageOptions,
): Promise<{ exists: false } | { exists: true; public: boolean; allowedMimeTypes: string[] | null; fileSizeLimit: number | null }> {
  const { data, error } = await storageClient(options).getBucket(options.bucket);
  if (error) {
    if (isNotFound(error)) return { exists: false };
    throw storageFailure(`reading bucket "${options.bucket}"`, error);
  }
  return { exists: true, public: data.public, allowedMimeTypes: data.allowed_mime_types ?? null, fileSizeLimit: data.file_size_limit ?? null };
}

/**
 * Supabase Storage through the official client (`@supabase/storage-js`): a
 * private bucket, upserted uploads with the audio's content type, existence by
 * HEAD, and signed URLs from `createSignedUrl` minted per request. Never a
 * public URL. Every failure (HTTP status, network, timeout) is thrown as a
 * plain Error carrying the status and the Storage error code.
 */
export function createSupabaseStorage(options: SupabaseStorageOptions): Storage & { readonly driver: 'supabase' } {
  const client = storageClient(options);
  const bucket = () => client.from(options.bucket);

  return {
    driver: 'supabase',
    async prepare() {
      const found = await client.getBucket(options.bucket);
      if (found.data) {
        if (found.data.public) {
          throw new Error(
            `Supabase Storage bucket "${options.bucket}" is public; songs must be in a private bucket (Dashboard → Storage → bucket → Edit → Public off)`,
          );
        }
        return;
      }
      if (!isNotFound(found.error)) throw storageFailure(`reading bucket "${options.bucket}"`, found.error);
      const created = await client.createBucket(options.bucket, {
        public: false,
        allowedMimeTypes: SONG_BUCKET_MIME_TYPES,
        fileSizeLimit: SONG_BUCKET_SIZE_LIMIT_BYTES,
      });
      // Another worker may have created it between our read and our create.
      if (created.error && (created.error as { statusCode?: string }).statusCode !== '409') {
        throw storageFailure(`creating bucket "${options.bucket}"`, created.error);
      }
    },
    async put(key, bytes, contentType) {
      // upsert: a retry after a crash overwrites the object instead of failing on a duplicate.
      const { error } = await bucket().upload(key, bytes, { contentType, upsert: true });
      if (error) throw storageFailure(`upload of ${key}`, error);
    },
    async exists(key) {
      try {
        // HEAD: storage-js answers 400/404 as `false`; any other failure it throws.
        return (await bucket().exists(key)).data;
      } catch (err) {
        throw storageFailure(`exists(${key})`, err as StorageError);
      }
    },
    async signedUrl(key, ttlSeconds) {
      const { data, error } = await bucket().createSignedUrl(key, ttlSeconds);
      if (error) throw storageFailure(`signing ${key}`, error);
      return data.signedUrl;
    },
  };
}
