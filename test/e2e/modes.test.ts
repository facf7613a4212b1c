/**
 * Local mode vs deployment mode (issue 13): every dev-only affordance × mode in
 * one table, asserting exactly what happens, plus the issue's replay against
 * `npm start` in deployment mode. Local mode is the production build with
 * SONGSWIPE_LOCAL_MODE=1; deployment mode is `npm start` (the launcher) with
 * DATABASE_URL set and no SONGSWIPE_LOCAL_MODE, as on a host.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from '../../src/auth/dev-tokens';
import { appUrl, EnvError, type Mode, parseEnv } from '../../src/config/env';
import { insertPendingOrder } from '../../src/db/orders';
import { resolveLauncherEnv } from '../../src/launcher/runtime';
import { anyFreePort } from '../../src/launcher/ports';
import { serviceCommands, waitForHttp } from '../../src/launcher/services';
import { type BuiltServer, E2E_JWT_SECRET, E2E_STORAGE_SECRET, launchBuilt, type LaunchedProcess, NPM_START, startBuiltServer } from '../support/built-server';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { createCustomizationRow, eventually, PRICE, WEBHOOK_SECRET } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';

const MODES: Mode[] = ['local', 'deployment'];
const SECRETS = { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, SUPABASE_JWT_SECRET: E2E_JWT_SECRET, STORAGE_SIGNING_SECRET: E2E_STORAGE_SECRET };
const SECRET_NAMES = Object.keys(SECRETS);

/** A complete deployment environment for `npm start` on `databaseUrl` at `port`. */
function deploymentEnv(databaseUrl: string, port: number, dataDir: string): Record<string, string> {
  return {
    ...SECRETS,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    APP_URL: `http://localhost:${port}`,
    DATA_DIR: dataDir,
    STRIPE_SECRET_KEY: 'sk_test_e2e_deployment_0000000000',
    MUSIC_PROVIDER: 'synth',
    SONG_LENGTH_MS: '6000',
    SYNTH_LATENCY_MS: '200',
    LOG_LEVEL: 'info',
    WORKER_EXECUTOR_ID: `e2e-deployment-${port}`,
    // the key is fake and deployment mode allows no stub: no hourly reconciliation against api.stripe.com
    RECONCILE_CHECKOUTS_CRON: 'off',
  };
}

/** What each mode's boot is given before a row takes a variable away (the processes' own env, minus the launcher's). */
const BOOT_ENV: Record<Mode, Record<string, string>> = {
  local: { SONGSWIPE_LOCAL_MODE: '1', ...SECRETS },
  deployment: deploymentEnv('postgres://app@db.example.com:5432/postgres', 3000, '/nonexistent'),
};

const without = (env: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)));

/** A boot's outcome in words: what `boot()` describes, or which variables stopped it. */
function bootOutcome(boot: () => string): string {
  try {
    return boot();
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    return `boot fails: ${[err.missing.length && `missing ${err.missing.join(', ')}`, err.invalid.length && `refused ${err.invalid.join(', ')}`].filter(Boolean).join('; ')}`;
  }
}

const tempDataDir = () => tempDir('modes');

const servers = {} as Record<Mode, { base: string; db: TestDatabase }>;
let localServer: BuiltServer;
let npmStart: LaunchedProcess;

beforeAll(async () => {
  const [localDb, deploymentDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  localServer = await startBuiltServer(localDb.url);
  servers.local = { base: localServer.base, db: localDb };
  const port = await anyFreePort();
  npmStart = await launchBuilt('launcher', NPM_START, deploymentEnv(deploymentDb.url, port, tempDataDir()));
  const base = `http://localhost:${port}`;
  await waitForHttp(`${base}/api/health`, 120_000, npmStart.running).catch((err: Error) => {
    throw new Error(`${err.message}\n${npmStart.output.join('\n')}`);
  });
  servers.deployment = { base, db: deploymentDb };
}, 300_000);

afterAll(async () => {
  await Promise.all([localServer?.stop(), npmStart?.stop()]);
});

async function signedIn(mode: Mode): Promise<{ userId: string; auth: Record<string, string> }> {
  const userId = await createUser(servers[mode].db.pool);
  return { userId, auth: { authorization: `Bearer ${await mintAccessToken(E2E_JWT_SECRET, userId)}`, 'content-type': 'application/json' } };
}

/**
 * Step 1 of the issue's sequence: a pending order behind a dev checkout
 * session. Local mode: `POST /api/checkout` hands one out. Deployment mode:
 * checkout goes to Stripe now, so the row is planted as a pre-fix deployment
 * created it (an attacker may hold such an id).
 */
async function devCheckoutOrder(mode: Mode, owner: { userId: string; auth: Record<string, string> }) {
  const { base, db } = servers[mode];
  const customizationId = await createCustomizationRow(db.pool, owner.userId);
  if (mode === 'local') {
    const res = await fetch(`${base}/api/checkout`, { method: 'POST', headers: owner.auth, body: JSON.stringify({ customizationId }) });
    const { url, orderId } = (await res.json()) as { url: string; orderId: string };
    return { orderId, sessionId: new URL(url).pathname.split('/').pop()! };
  }
  const orderId = randomUUID();
  const sessionId = `cs_test_dev_${randomBytes(16).toString('hex')}`;
  await insertPendingOrder(db.pool, {
    id: orderId,
    userId: owner.userId,
    customizationId,
    stripeSessionId: sessionId,
    amount: PRICE.amount,
    currency: PRICE.currency,
    occasionDate: '2026-12-24',
    livemode: false,
    checkoutUrl: `${base}/dev/checkout/${sessionId}`,
    checkoutExpiresAt: new Date(Date.now() + 3600_000),
  });
  return { orderId, sessionId };
}

async function orderOutcome(mode: Mode, orderId: string): Promise<string> {
  const { rows } = await servers[mode].db.pool.query<{ status: string; calls: number }>(
    `select o.status, (select count(*)::int from public.provider_calls c where c.order_id = o.id) as calls
     from public.orders o where o.id = $1`,
    [orderId],
  );
  return `${rows[0]!.status}, ${rows[0]!.calls} provider calls`;
}

/** Step 2: `POST /api/dev/checkout/:sessionId {"method":"card"}` with `headers`; the answer and what became of the order. */
async function payDevCheckout(
  mode: Mode,
  headers: Record<string, string>,
  payerFor?: (owner: { userId: string; auth: Record<string, string> }) => Promise<Record<string, string>>,
) {
  const owner = await signedIn(mode);
  const { orderId, sessionId } = await devCheckoutOrder(mode, owner);
  const res = await fetch(`${servers[mode].base}/api/dev/checkout/${sessionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers, ...(payerFor && (await payerFor(owner))) },
    body: JSON.stringify({ method: 'card' }),
  });
  if (res.ok) {
    // paid: wait for the three variants, so the provider call count is final
    await eventually(async () => (await orderOutcome(mode, orderId)) === 'paid, 3 provider calls', 60_000, 'three provider calls');
  }
  return `${res.status} → ${await orderOutcome(mode, orderId)}`;
}

interface Row {
  affordance: string;
  local: string;
  deployment: string;
  probe(mode: Mode): Promise<string>;
}

const TABLE: Row[] = [
  {
    affordance: 'GET /api/health reports the mode',
    local: 'mode local',
    deployment: 'mode deployment',
    probe: async (mode) => `mode ${((await (await fetch(`${servers[mode].base}/api/health`)).json()) as { mode: string }).mode}`,
  },
  {
    affordance: 'POST /api/checkout (signed in) hands out',
    local: 'a dev checkout URL',
    deployment: 'no dev checkout URL',
    async probe(mode) {
      const owner = await signedIn(mode);
      const customizationId = await createCustomizationRow(servers[mode].db.pool, owner.userId);
      const res = await fetch(`${servers[mode].base}/api/checkout`, { method: 'POST', headers: owner.auth, body: JSON.stringify({ customizationId }) });
      const url = res.ok ? ((await res.json()) as { url: string }).url : '';
      return url.startsWith(`${servers[mode].base}/dev/checkout/cs_test_dev_`) ? 'a dev checkout URL' : 'no dev checkout URL';
    },
  },
  {
    affordance: 'GET /dev/checkout/:sessionId (the dev checkout page)',
    local: '200 with Pay buttons',
    deployment: '404',
    async probe(mode) {
      const { sessionId } = await devCheckoutOrder(mode, await signedIn(mode));
      const res = await fetch(`${servers[mode].base}/dev/checkout/${sessionId}`);
      return `${res.status}${(await res.text()).includes('Pay with a delayed method') ? ' with Pay buttons' : ''}`;
    },
  },
  {
    affordance: "the issue's sequence: dev payment with no authentication",
    local: '404 → pending_payment, 0 provider calls',
    deployment: '404 → pending_payment, 0 provider calls',
    probe: (mode) => payDevCheckout(mode, {}),
  },
  {
    affordance: 'dev payment by another signed-in user',
    local: '404 → pending_payment, 0 provider calls',
    deployment: '404 → pending_payment, 0 provider calls',
    probe: (mode) => payDevCheckout(mode, {}, async () => (await signedIn(mode)).auth),
  },
  {
    affordance: 'dev payment by a forged token naming the owner',
    local: '404 → pending_payment, 0 provider calls',
    deployment: '404 → pending_payment, 0 provider calls',
    probe: (mode) =>
      payDevCheckout(mode, {}, async (owner) => ({ authorization: `Bearer ${await mintAccessToken('forged-secret-0123456789abcdefghijklm', owner.userId)}` })),
  },
  {
    affordance: "dev payment by the session's owner",
    local: '200 → paid, 3 provider calls',
    deployment: '404 → pending_payment, 0 provider calls',
    probe: (mode) => payDevCheckout(mode, {}, async (owner) => owner.auth),
  },
  {
    affordance: 'MUSIC_PROVIDER unset (the synth default)',
    local: 'MUSIC_PROVIDER=synth',
    deployment: 'boot fails: missing MUSIC_PROVIDER',
    probe: async (mode) => bootOutcome(() => `MUSIC_PROVIDER=${parseEnv(without(BOOT_ENV[mode], 'MUSIC_PROVIDER')).MUSIC_PROVIDER}`),
  },
  {
    affordance: 'secrets unset, .data/local-secrets.json present (launcher)',
    local: 'secrets read from .data/local-secrets.json',
    deployment: `boot fails: missing ${[...SECRET_NAMES].sort().join(', ')}`,
    async probe(mode) {
      const dataDir = tempDataDir();
      const stored = { STRIPE_WEBHOOK_SECRET: 'whsec_from_data_dir', SUPABASE_JWT_SECRET: 'j'.repeat(40), STORAGE_SIGNING_SECRET: 's'.repeat(40) };
      writeFileSync(path.join(dataDir, 'local-secrets.json'), JSON.stringify(stored));
      return bootOutcome(() => {
        const e = resolveLauncherEnv(without(BOOT_ENV[mode], ...SECRET_NAMES), dataDir);
        const fromFile = e.SUPABASE_JWT_SECRET === stored.SUPABASE_JWT_SECRET && e.STORAGE_SIGNING_SECRET === stored.STORAGE_SIGNING_SECRET;
        return fromFile && e.STRIPE_WEBHOOK_SECRET[0] === stored.STRIPE_WEBHOOK_SECRET
          ? 'secrets read from .data/local-secrets.json'
          : 'secrets from elsewhere';
      });
    },
  },
  {
    affordance: 'secrets unset, no .data/local-secrets.json yet (launcher)',
    local: 'secrets generated into .data/local-secrets.json',
    deployment: `boot fails: missing ${[...SECRET_NAMES].sort().join(', ')}; nothing written to .data`,
    async probe(mode) {
      const dataDir = tempDataDir();
      const outcome = bootOutcome(() => {
        resolveLauncherEnv(without(BOOT_ENV[mode], ...SECRET_NAMES), dataDir);
        return 'secrets generated';
      });
      const file = existsSync(path.join(dataDir, 'local-secrets.json'));
      return file ? `${outcome} into .data/local-secrets.json` : `${outcome}; nothing written to .data`;
    },
  },
  {
    affordance: 'APP_URL unset (links handed to Stripe and customers)',
    local: 'http://localhost:3000',
    deployment: 'boot fails: missing APP_URL',
    probe: async (mode) => bootOutcome(() => appUrl(parseEnv({ ...without(BOOT_ENV[mode], 'APP_URL'), PORT: '3000' }))),
  },
  {
    affordance: 'test-only overrides STRIPE_API_BASE_URL, ELEVENLABS_BASE_URL',
    local: 'accepted',
    deployment: 'boot fails: refused ELEVENLABS_BASE_URL, STRIPE_API_BASE_URL',
    probe: async (mode) =>
      bootOutcome(() => {
        parseEnv({ ...BOOT_ENV[mode], STRIPE_API_BASE_URL: 'http://127.0.0.1:9', ELEVENLABS_BASE_URL: 'http://127.0.0.1:9' });
        return 'accepted';
      }),
  },
  {
    affordance: 'dev sign-in: GET /sign-in, then POST /api/auth/dev-sign-in from our origin',
    local: 'page 200, sign-in 303 with a session cookie',
    deployment: 'page 404, sign-in 404 with no cookie',
    async probe(mode) {
      const { base } = servers[mode];
      const page = await fetch(`${base}/sign-in`);
      const res = await fetch(`${base}/api/auth/dev-sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: new URLSearchParams({ email: `modes-${randomUUID().slice(0, 8)}@example.test` }),
      });
      const cookie = /^songswipe_session=eyJ/.test(res.headers.get('set-cookie') ?? '');
      return `page ${page.status}, sign-in ${res.status} ${cookie ? 'with a session cookie' : 'with no cookie'}`;
    },
  },
];

describe('dev affordance × mode', () => {
  it.each(TABLE.flatMap((row) => MODES.map((mode) => [row.affordance, mode, row[mode], row] as const)))(
    '%s, %s mode → %s',
    async (_affordance, mode, expected, row) => {
      expect(await row.probe(mode)).toBe(expected);
    },
    90_000,
  );
});

describe("the issue's replay against `npm start` in deployment mode", () => {
  it('without STRIPE_SECRET_KEY the boot fails and names it: the launcher, the web app and the worker alike', async () => {
    const port = await anyFreePort();
    const env = without(deploymentEnv(servers.deployment.db.url, port, tempDataDir()), 'STRIPE_SECRET_KEY');
    const commands = serviceCommands('start', port);
    const runs = await Promise.all([
      launchBuilt('launcher', NPM_START, env),
      launchBuilt('web', commands.web, env),
      launchBuilt('worker', commands.worker, env),
    ]);
    for (const run of runs) {
      expect(await run.exited).toBe(1);
      expect(run.output.join('\n')).toContain('missing: STRIPE_SECRET_KEY\n');
    }
    await expect(fetch(`http://localhost:${port}/api/health`)).rejects.toThrow(); // nothing is left listening
  }, 120_000);

  it('with an empty environment the worker names every variable a deployment must set', async () => {
    const run = await launchBuilt('worker', serviceCommands('start', 0).worker, {});
    expect(await run.exited).toBe(1);
    expect(run.output.join('\n')).toContain(
      'missing: APP_URL, DATABASE_URL, MUSIC_PROVIDER, STORAGE_SIGNING_SECRET, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SUPABASE_JWT_SECRET\n',
    );
  }, 60_000);

  it('with a key: the web app and the worker log deployment mode, and warn about the test key in production', () => {
    const lines = npmStart.output.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { service: string; level: number; msg: string; mode?: string });
    for (const service of ['web', 'worker']) {
      expect(lines.filter((l) => l.service === service && l.mode === 'deployment' && l.msg === 'booted in deployment mode')).toHaveLength(1);
      expect(lines.filter((l) => l.service === service && l.level === 40 && /STRIPE_SECRET_KEY is a TEST key/.test(l.msg))).toHaveLength(1);
    }
  });

  it('after every probe above, no deployment order was paid and no provider was called', async () => {
    const { rows } = await servers.deployment.db.pool.query<{ paid: number; calls: number; workflows: number }>(
      `select (select count(*)::int from public.orders where status <> 'pending_payment') as paid,
              (select count(*)::int from public.provider_calls) as calls,
              (select count(*)::int from dbos.workflow_status) as workflows`,
    );
    expect(rows[0]).toEqual({ paid: 0, calls: 0, workflows: 0 });
  });
});
