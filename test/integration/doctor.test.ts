import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { runDeploymentChecks } from '../../src/doctor/deployment-checks';
import { HANDLED_EVENT_TYPES } from '../../src/payments/handle-webhook';
import { createStripeClient } from '../../src/payments/stripe-client';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { WEBHOOK_SECRET } from '../support/fixtures';
import { startStripeStub } from '../support/stripe-stub';
import { startSupabaseStorageStub, type SupabaseStorageStub } from '../support/supabase-storage-stub';

const SECRET_KEY = 'sb_secret_doctor_test';
const APP_URL = 'https://songs.example.test';
const MIGRATIONS = path.join(PROJECT_ROOT, 'supabase', 'migrations');
let db: TestDatabase;
let supabase: SupabaseStorageStub;
let stripe: Awaited<ReturnType<typeof startStripeStub>>;
let jwksBody = '{"keys":[]}';

beforeAll(async () => {
  db = await createTestDatabase();
  const { publicKey } = await generateKeyPair('ES256');
  jwksBody = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] });
  // One stub is the whole project URL: Storage under /storage/v1, the JWKS under /auth/v1.
  supabase = await startSupabaseStorageStub({
    serverKeys: [SECRET_KEY],
    otherRoutes: (req, res) => {
      if (req.url === '/auth/v1/.well-known/jwks.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(jwksBody);
      res.writeHead(404).end();
    },
  });
  supabase.createBucket('songs');
  supabase.createBucket('public-songs', { public: true });
  stripe = await startStripeStub();
  stripe.webhookEndpoints.push({
    id: 'we_test_1',
    url: `${APP_URL}/api/stripe/webhook`,
    livemode: false,
    status: 'enabled',
    enabled_events: [...HANDLED_EVENT_TYPES],
  });
});
afterAll(async () => {
  await supabase?.close();
  await stripe?.close();
});

function deploymentEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    // Local mode only because the Stripe API here is a stub: deployment mode refuses STRIPE_API_BASE_URL.
    SONGSWIPE_LOCAL_MODE: '1',
    MUSIC_PROVIDER: 'synth',
    DATABASE_URL: db.url,
    APP_URL,
    STRIPE_SECRET_KEY: 'sk_test_doctor',
    STRIPE_API_BASE_URL: stripe.url,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STORAGE_SIGNING_SECRET: 's'.repeat(32),
    STORAGE_DRIVER: 'supabase',
    SUPABASE_URL: supabase.url,
    SUPABASE_SECRET_KEY: SECRET_KEY,
    ...overrides,
  };
}

async function check(source: Record<string, string>, on = db) {
  const env = parseEnv(source);
  const results = await runDeploymentChecks({ env, db: on.pool, migrationsDir: MIGRATIONS, stripe: createStripeClient(env) });
  return Object.fromEntries(results.map((r) => [r.name, `${r.status}: ${r.detail}`]));
}

describe('npm run doctor', () => {
  it('passes every check on a correctly configured deployment', async () => {
    expect(await check(deploymentEnv())).toEqual({
      'migrations applied': expect.stringMatching(/^pass: (\d+)\/\1$/),
      'DBOS system schema': 'pass: dbos.workflow_status exists',
      'RLS on every table': 'pass: every table in public has RLS enabled',
      'storage bucket private': 'pass: bucket "songs" is private',
      'JWKS reachable': 'pass: 1 signing key(s): ES256',
      'Stripe key mode matches the webhook endpoint': `pass: we_test_1 (test) sends all ${HANDLED_EVENT_TYPES.length} events`,
    });
  });

  it('fails each check with what is wrong', async () => {
    const broken = await createTestDatabase();
    await broken.pool.query(`delete from supabase_migrations.schema_migrations where version = '20261130170200'`);
    await broken.pool.query('create table public.leaky (id int)');
    await broken.pool.query('drop schema dbos cascade');
    const results = await check(
      deploymentEnv({ DATABASE_URL: broken.url, SUPABASE_STORAGE_BUCKET: 'public-songs', STRIPE_SECRET_KEY: 'sk_live_doctor' }),
      broken,
    );
    expect(results).toMatchObject({
      'migrations applied': expect.stringMatching(/^fail: not applied: 20261130170200_account_deletion_keeps_orders\.sql/),
      'DBOS system schema': expect.stringMatching(/^fail: missing/),
      'RLS on every table': 'fail: RLS off (readable through /rest/v1): public.leaky',
      'storage bucket private': 'fail: bucket "public-songs" is PUBLIC: anyone could fetch songs without a signed URL',
      'Stripe key mode matches the webhook endpoint': `fail: no enabled live-mode webhook endpoint for ${APP_URL}/api/stripe/webhook; STRIPE_WEBHOOK_SECRET must be the signing secret of one`,
    });
  });

  it('fails the Supabase checks when the project is unreachable, and a missing event', async () => {
    stripe.webhookEndpoints.push({
      id: 'we_live_1',
      url: `${APP_URL}/api/stripe/webhook`,
      livemode: true,
      status: 'enabled',
      enabled_events: ['checkout.session.completed'],
    });
    const results = await check(deploymentEnv({ SUPABASE_URL: 'http://127.0.0.1:9', STRIPE_SECRET_KEY: 'sk_live_doctor' }));
    expect(results['storage bucket private']).toMatch(/^fail: Supabase Storage reading bucket "songs" failed/);
    expect(results['JWKS reachable']).toMatch(/^fail: /);
    expect(results['Stripe key mode matches the webhook endpoint']).toMatch(
      /^fail: we_live_1 \(live\) does not send: checkout\.session\.async_payment_succeeded/,
    );
    stripe.webhookEndpoints.pop();
  });

  it('the command prints one PASS line per check and exits 0', async () => {
    const { stdout } = await promisify(execFile)(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/doctor.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...deploymentEnv(), LOG_LEVEL: 'warn' },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(7);
    for (const line of lines) expect(line).toMatch(/^PASS {2}/);
  });
});
