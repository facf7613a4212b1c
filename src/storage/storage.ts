/**
 * Where song audio lives. Routes and workers see only this interface.
 * Signed URLs are minted on demand with a short expiry and never stored: a
 * signed URL cannot be revoked once handed out.
 *
 * Any method may throw a plain Error when the store itself fails (disk, network,
 * Storage API); the generation workflow treats that as an `internal` failure
 * and retries it without calling the music provider again.
 */
export interface Storage {
  /** Which driver this is (`STORAGE_DRIVER`). */
  readonly driver: 'local' | 'supabase';
  /**
   * Makes the store ready for writes; called at worker start. Idempotent.
   * `local` creates its folder; `supabase` creates the private bucket if missing.
   * @throws Error when the store is unusable (unreachable, bad key, a public bucket).
   */
  prepare(): Promise<void>;
  /** Writes `bytes` at `key`, overwriting (a retry after a crash replaces, never fails); a reader never sees half an object. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Whether an object exists at `key`. */
  exists(key: string): Promise<boolean>;
  /** A URL that serves `key` until `ttlSeconds` from now (never a public URL). */
  signedUrl(key: string, ttlSeconds: number): Promise<string>;
}

/** The object key of a variant's audio: `songs/<orderId>/variant-<n>.<ext>`. */
export function variantStorageKey(orderId: string, variantNumber: number, extension: string): string {
  return `songs/${orderId}/variant-${variantNumber}.${extension}`;
}
