import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Storage } from './storage';

/** Keys are `songs/<uuid>/variant-<n>.<ext>`-like: no `..`, no absolute paths, no odd bytes. */
const SAFE_KEY = /^(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]+\.[a-z0-9]{2,5}$/;

const CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', wav: 'audio/wav' };

export interface LocalStorageOptions {
  /** Folder holding the objects, e.g. `.data/storage`. */
  root: string;
  /** HMAC-SHA256 key for signed URLs. */
  signingSecret: string;
  /** Base URL of the app; signed URLs point at `<baseUrl>/api/storage/<key>`. */
  baseUrl: string;
}

/** The local driver: the `Storage` interface plus what its own route needs. */
export interface LocalStorage extends Storage {
  readonly driver: 'local';
  /**
   * Checks a signed URL's parts and returns the file to serve.
   * @param nowMs clock (ms since epoch).
   * @throws ForbiddenError on a bad signature or an expired URL (403).
   * @throws NotFoundError for an unsafe key or a missing file (404).
   */
  resolveSigned(key: string, exp: string | null, sig: string | null, nowMs?: number): Promise<{ file: string; size: number; contentType: string }>;
}

function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key)) throw new NotFoundError('no such object');
}

function sign(secret: string, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
}

/**
 * Local filesystem storage with HMAC-signed, expiring URLs, served by
 * `GET /api/storage/<key>?exp=<unix s>&sig=<base64url>` (src/storage/serve-local-object.ts).
 */
export function createLocalStorage(options: LocalStorageOptions): LocalStorage {
  const root = path.resolve(options.root);
  const fileOf = (key: string) => {
    assertSafeKey(key);
    const file = path.resolve(root, key);
    if (!file.startsWith(root + path.sep)) throw new NotFoundError('no such object');
    return file;
  };
  return {
    driver: 'local',
    async prepare() {
      await mkdir(root, { recursive: true });
    },
    async put(key, bytes) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      // One fixed temp name per key: a write cut short by a crash is overwritten
      // by the retry, never left behind as an orphan.
      const tmp = `${file}.partial`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    },
    async exists(key) {
      const info = await stat(fileOf(key)).catch(() => undefined);
      return Boolean(info?.isFile());
    },
    async signedUrl(key, ttlSeconds) {
      assertSafeKey(key);
      const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
      const encodedKey = key.split('/').map(encodeURIComponent).join('/');
      return `${options.baseUrl}/api/storage/${encodedKey}?exp=${expires}&sig=${sign(options.signingSecret, key, expires)}`;
    },
    async resolveSigned(key, exp, sig, nowMs = Date.now()) {
      const expires = Number(exp);
      if (!exp || !sig || !Number.isInteger(expires)) throw new ForbiddenError('missing or malformed signature');
      const expected = Buffer.from(sign(options.signingSecret, key, expires));
      const given = Buffer.from(sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new ForbiddenError('invalid signature');
      }
      if (expires * 1000 < nowMs) throw new ForbiddenError('signed URL expired');
      const file = fileOf(key);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new NotFoundError('no such object');
      const ext = path.extname(file).slice(1);
      return { file, size: info.size, contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' };
    },
  };
}
