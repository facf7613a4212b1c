import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countProviderCalls } from '../../src/db/provider-calls';
import { listVariants } from '../../src/db/song-variants';
import { decodeMp3 } from '../../src/demo/decode-audio';
import { getOrderView } from '../../src/delivery/order-view';
import { stopService } from '../../src/launcher/services';
import { createSupabaseStorage } from '../../src/storage/supabase-storage';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, deliver, eventually, paidEvent, webhookDeps } from '../support/fixtures';
import { startSupabaseStorageStub, type SupabaseStorageStub } from '../support/supabase-storage-stub';
import { spawnWorkerProcess } from '../support/worker';

/**
 * The main job with STORAGE_DRIVER=supabase: a real worker process (env parsed
 * at boot, bucket created at start) stores the three variants in a local wire
 * stub of Supabase Storage, and each plays through its signed URL.
 */
const SECRET_KEY = 'sb_secret_e2e_storage_key';
let db: TestDatabase;
let stub: SupabaseStorageStub;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startSupabaseStorageStub({ serverKeys: [SECRET_KEY] });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopService(w)));
  await stub?.close();
});

const supabaseEnv = () => ({
  STORAGE_DRIVER: 'supabase',
  SUPABASE_URL: stub.url,
  SUPABASE_SECRET_KEY: SECRET_KEY,
  SUPABASE_STORAGE_BUCKET: 'songs',
  GENERATION_RETRY_BASE_MS: '50',
  GENERATION_RETRY_MAX_MS: '200',
  QUEUE_POLL_MS: '200',
});

describe('generate-song with STORAGE_DRIVER=supabase (Storage API stub)', () => {
  it('stores 3 variants in the private bucket, each playable through its signed URL; a 503 on upload is retried without paying again', async () => {
    const output: string[] = [];
    stub.failNext('upload', { kind: 'status', status: 503 });
    workers.push(spawnWorkerProcess(db.url, { ...supabaseEnv(), WORKER_EXECUTOR_ID: 'supabase-storage-worker' }, output));
    await eventually(async () => stub.buckets.has('songs'), 60_000, `the worker to create the bucket; output:\n${output.join('\n')}`);
    expect(stub.buckets.get('songs')).toMatchObject({ public: false });

    const userId = await createUser(db.pool);
    const event = paidEvent(userId, await createCustomizationRow(db.pool, userId));
    await deliver(await webhookDeps(db.pool, db.url), event);
    const { rows } = await db.pool.query<{ id: string }>('select id from public.orders where stripe_session_id = $1', [event.data.object.id]);
    const orderId = rows[0]!.id;

    const variants = await eventually(
      async () => {
        const vs = await listVariants(db.pool, orderId);
        return vs.length === 3 && vs.every((v) => v.status === 'complete') ? vs : undefined;
      },
      90_000,
      `all variants complete; worker output:\n${output.join('\n')}`,
    );
    expect(variants.map((v) => v.storagePath)).toEqual([1, 2, 3].map((n) => `songs/${orderId}/variant-${n}.mp3`));
    // The failed upload was retried from the audio in memory: one provider call per variant.
    expect(await countProviderCalls(db.pool, orderId)).toEqual({ 1: 1, 2: 1, 3: 1 });
    const uploads = stub.calls.filter((c) => c.route === 'upload');
    expect(uploads.map((c) => c.status).sort()).toEqual([200, 200, 200, 503]);
    for (const u of uploads) expect(u).toMatchObject({ upsert: 'true', contentType: 'audio/mpeg', apikey: SECRET_KEY, authorization: undefined });
    for (const v of variants) expect(stub.objects.has(`songs/${v.storagePath}`)).toBe(true);

    const storage = createSupabaseStorage({ supabaseUrl: stub.url, serverKey: SECRET_KEY, bucket: 'songs' });
    const view = await getOrderView(
      { db: db.pool, storage, signedUrlTtlSeconds: 600, appUrl: 'http://app.test' },
      { sub: userId, role: 'authenticated' },
      orderId,
    );
    expect(view.generationStatus).toBe('complete');
    for (const v of view.variants) {
      expect(v.audioUrl).toMatch(new RegExp(`^${stub.url}/storage/v1/object/sign/songs/songs/${orderId}/variant-${v.variantNumber}\\.mp3\\?token=`));
      const res = await fetch(v.audioUrl!);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/mpeg');
      const audio = await decodeMp3(new Uint8Array(await res.arrayBuffer()));
      expect(audio.durationMs).toBeGreaterThan(2900);
    }
  });

  it('a worker with STORAGE_DRIVER=supabase and no server key fails at boot naming the variable', async () => {
    const output: string[] = [];
    const { SUPABASE_SECRET_KEY: _omitted, ...withoutKey } = supabaseEnv();
    const child = spawnWorkerProcess(
      db.url,
      { ...withoutKey, SUPABASE_SECRET_KEY: '', SUPABASE_SERVICE_ROLE_KEY: '', WORKER_EXECUTOR_ID: 'keyless-worker' },
      output,
    );
    workers.push(child);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(output.join('\n')).toMatch(/SUPABASE_SECRET_KEY: is required when STORAGE_DRIVER=supabase/);
  });
});
