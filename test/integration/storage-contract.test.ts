import { StorageClient } from '@supabase/storage-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors';
import { createLocalStorage } from '../../src/storage/local-storage';
import { serveLocalObject } from '../../src/storage/serve-local-object';
import type { Storage } from '../../src/storage/storage';
import { createSupabaseStorage, SONG_BUCKET_MIME_TYPES, SONG_BUCKET_SIZE_LIMIT_BYTES } from '../../src/storage/supabase-storage';
import { startSupabaseStorageStub, type SupabaseStorageStub } from '../support/supabase-storage-stub';
import { tempDir } from '../support/temp-dir';

const SECRET_KEY = 'sb_secret_contract_test_key';
const LEGACY_KEY = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.bGVnYWN5';
const ORDER = '0b6c1f4e-1111-4222-8333-944455556666';
const key = (n: number) => `songs/${ORDER}/variant-${n}.mp3`;

let stub: SupabaseStorageStub;
beforeAll(async () => {
  stub = await startSupabaseStorageStub({ serverKeys: [SECRET_KEY, LEGACY_KEY] });
});
afterAll(async () => {
  await stub?.close();
});

interface Driver {
  storage: Storage;
  /** GETs a signed URL the way a browser's audio player would. */
  open(url: string): Promise<Response>;
}

const drivers: Record<string, () => Driver> = {
  local() {
    const storage = createLocalStorage({ root: tempDir('contract'), signingSecret: 's'.repeat(32), baseUrl: 'http://app.test' });
    return {
      storage,
      // The same code the /api/storage route runs; its typed errors carry the HTTP status.
      async open(url) {
        const objectKey = decodeURIComponent(new URL(url).pathname.replace(/^\/api\/storage\//, ''));
        return serveLocalObject(storage, new Request(url), objectKey).catch((err: { status?: number }) => new Response(null, { status: err.status ?? 500 }));
      },
    };
  },
  supabase() {
    const storage = createSupabaseStorage({ supabaseUrl: stub.url, serverKey: SECRET_KEY, bucket: 'songs', requestTimeoutMs: 2000 });
    return { storage, open: (url) => fetch(url) };
  },
};

/** Changes one base64url character of the URL's final query value (the signature or token). */
function tamper(url: string): string {
  const i = url.length - 5;
  return url.slice(0, i) + (url[i] === 'A' ? 'B' : 'A') + url.slice(i + 1);
}

describe.each(Object.keys(drivers))('storage contract: %s driver', (name) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = drivers[name]!();
    await driver.storage.prepare();
    await driver.storage.prepare(); // idempotent
  });

  it('stores an object, reports that it exists, and serves its exact bytes through a signed URL', async () => {
    expect(await driver.storage.exists(key(1))).toBe(false);
    await driver.storage.put(key(1), new Uint8Array([1, 2, 3]), 'audio/mpeg');
    expect(await driver.storage.exists(key(1))).toBe(true);
    expect(await driver.storage.exists(key(3))).toBe(false);
    const res = await driver.open(await driver.storage.signedUrl(key(1), 60));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('a second put of the same key overwrites it (a retry after a crash)', async () => {
    await driver.storage.put(key(2), new Uint8Array([9]), 'audio/mpeg');
    await driver.storage.put(key(2), new Uint8Array([7, 7]), 'audio/mpeg');
    const res = await driver.open(await driver.storage.signedUrl(key(2), 60));
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([7, 7]);
  });

  it('refuses a tampered signed URL: a changed signature, or the signature moved to another object', async () => {
    const url = await driver.storage.signedUrl(key(1), 60);
    const forged = await driver.open(tamper(url));
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    const moved = await driver.open(url.replace('variant-1', 'variant-2'));
    expect(moved.status).toBeGreaterThanOrEqual(400);
    expect(moved.status).toBeLessThan(500);
  });

  it('refuses an expired signed URL', async () => {
    const url = await driver.storage.signedUrl(key(1), 1);
    await new Promise((r) => setTimeout(r, 2100));
    const res = await driver.open(url);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('supabase driver against the Storage API stub', () => {
  const make = (serverKey = SECRET_KEY, bucket = 'songs') => createSupabaseStorage({ supabaseUrl: stub.url, serverKey, bucket, requestTimeoutMs: 500 });

  it('creates the bucket private, with the audio MIME allow-list and the size limit, and only once', async () => {
    const storage = make(SECRET_KEY, 'fresh-bucket');
    await storage.prepare();
    await storage.prepare();
    expect(stub.buckets.get('fresh-bucket')).toEqual({
      id: 'fresh-bucket',
      public: false,
      allowedMimeTypes: SONG_BUCKET_MIME_TYPES,
      fileSizeLimit: SONG_BUCKET_SIZE_LIMIT_BYTES,
    });
    expect(stub.calls.filter((c) => c.route === 'bucket-create' && c.path === 'fresh-bucket')).toHaveLength(1);
    // The allow-list holds: a non-audio upload is refused by the bucket.
    await expect(storage.put(key(1), new Uint8Array([1]), 'text/html')).rejects.toThrow(/415.*mime type text\/html/);
  });

  it('refuses to start on a public bucket', async () => {
    stub.createBucket('public-bucket', { public: true });
    await expect(make(SECRET_KEY, 'public-bucket').prepare()).rejects.toThrow(/"public-bucket" is public/);
  });

  it('uploads the raw bytes with x-upsert and the content type; an sb_secret_ key goes in apikey only, a legacy JWT also as bearer', async () => {
    await make().put(key(4), new Uint8Array([4]), 'audio/mpeg');
    const upload = stub.calls.filter((c) => c.route === 'upload').at(-1)!;
    expect(upload).toMatchObject({
      method: 'POST',
      upsert: 'true',
      contentType: 'audio/mpeg',
      multipart: false,
      apikey: SECRET_KEY,
      authorization: undefined,
      status: 200,
    });
    await make(LEGACY_KEY).put(key(4), new Uint8Array([5]), 'audio/mpeg');
    expect(stub.calls.filter((c) => c.route === 'upload').at(-1)).toMatchObject({ apikey: LEGACY_KEY, authorization: `Bearer ${LEGACY_KEY}`, status: 200 });
    expect([...stub.objects.get(`songs/${key(4)}`)!.bytes]).toEqual([5]);
  });

  it('the stub also takes multipart uploads (what storage-js sends for a Blob) and checks x-upsert', async () => {
    const client = new StorageClient(`${stub.url}/storage/v1`, { apikey: SECRET_KEY });
    const blob = new Blob([new Uint8Array([8, 8])], { type: 'audio/mpeg' });
    expect((await client.from('songs').upload(key(5), blob, { upsert: false })).error).toBeNull();
    expect(stub.calls.at(-1)).toMatchObject({ multipart: true, contentType: 'audio/mpeg', upsert: 'false' });
    const again = await client.from('songs').upload(key(5), blob, { upsert: false });
    expect(again.error).toMatchObject({ statusCode: '409' });
  });

  it('refuses the publishable key and a secret key sent as a different bearer', async () => {
    await expect(make('sb_publishable_not_a_server_key').exists(key(1))).rejects.toThrow(/401/);
    const client = new StorageClient(`${stub.url}/storage/v1`, { apikey: SECRET_KEY, authorization: 'Bearer sb_publishable_x' });
    expect((await client.getBucket('songs')).error).toMatchObject({ status: 401 });
  });

  it('mints a signed URL, never a public one, and the public path of a private bucket serves nothing', async () => {
    const storage = make();
    await storage.put(key(6), new Uint8Array([6]), 'audio/mpeg');
    const url = await storage.signedUrl(key(6), 60);
    expect(url).toContain(`/storage/v1/object/sign/songs/${key(6)}?token=`);
    expect((await fetch(`${stub.url}/storage/v1/object/public/songs/${key(6)}`)).status).toBe(400);
  });

  it.each([
    ['a 5xx', { kind: 'status', status: 503 } as const, /upload of .* failed \(503\): Internal Server Error/],
    ['a 401', { kind: 'unauthorized' } as const, /upload of .* failed \(401\): Invalid API key/],
    ['a timeout', { kind: 'timeout' } as const, /upload of .* failed: .*timeout/i],
    ['"bucket not found"', { kind: 'bucket-not-found' } as const, /upload of .* failed \(400\/404\): Bucket not found/],
  ])('an upload answered with %s fails with a plain error naming it (internal to the retry policy)', async (_name, fault, message) => {
    stub.failNext('upload', fault);
    const err = await make()
      .put(key(7), new Uint8Array([7]), 'audio/mpeg')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(message);
    // The next attempt goes through.
    await make().put(key(7), new Uint8Array([7]), 'audio/mpeg');
    expect(await make().exists(key(7))).toBe(true);
  });

  it('exists() throws on a 5xx or a timeout instead of answering false (false would pay the provider again)', async () => {
    stub.failNext('head', { kind: 'status', status: 500 });
    await expect(make().exists(key(1))).rejects.toThrow(/exists\(.*\) failed/);
    stub.failNext('head', { kind: 'timeout' });
    await expect(make().exists(key(1))).rejects.toThrow(/exists\(.*\) failed/);
  });

  it('signing answers a fault with an error, not a URL', async () => {
    stub.failNext('sign', { kind: 'status', status: 502 });
    await expect(make().signedUrl(key(1), 60)).rejects.toThrow(/signing .* failed \(502\)/);
  });

  it('worker start fails when the Storage API refuses the key', async () => {
    stub.failNext('bucket-get', { kind: 'unauthorized' });
    await expect(make().prepare()).rejects.toThrow(/reading bucket "songs" failed \(401\)/);
  });
});
