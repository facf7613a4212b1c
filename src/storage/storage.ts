/**
 * Where song audio lives. Signed URLs are minted on demand with a short expiry
 * and never stored: a signed URL cannot be revoked once handed out.
 */
export interface Storage {
  /** Writes `bytes` at `key` atomically (a reader never sees half a file). Overwrites. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Whether an object exists at `key`. */
  exists(key: string): Promise<boolean>;
  /** A URL that serves `key` until `ttlSeconds` from now. */
  signedUrl(key: string, ttlSeconds: number): Promise<string>;
}

/** The object key of a variant's audio: `songs/<orderId>/variant-<n>.<ext>`. */
export function variantStorageKey(orderId: string, variantNumber: number, extension: string): string {
  return `songs/${orderId}/variant-${variantNumber}.${extension}`;
}
