import { readdirSync } from 'node:fs';
import { createRemoteJWKSet } from 'jose';
import type Stripe from 'stripe';
import { supabaseJwksUrl } from '../auth/jwks';
import { appUrl, supabaseServerKey, type Env } from '../config/env';
import { appliedMigrationVersions, hasDbosSystemSchema, tablesWithoutRls } from '../db/deployment-checks';
import type { Queryable } from '../db/pool';
import { HANDLED_EVENT_TYPES } from '../payments/handle-webhook';
import { inspectSupabaseBucket } from '../storage/supabase-storage';

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One line of `npm run doctor`. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface DoctorDeps {
  env: Env;
  /** Privileged connection to DATABASE_URL. */
  db: Queryable;
  /** `supabase/migrations`: the files that must all be applied. */
  migrationsDir: string;
  /** The Stripe client for STRIPE_SECRET_KEY, or null when it is unset. */
  stripe: Stripe | null;
}

type Check = { name: string; run: (deps: DoctorDeps) => Promise<Omit<CheckResult, 'name'>> };

const pass = (detail: string) => ({ status: 'pass' as const, detail });
const fail = (detail: string) => ({ status: 'fail' as const, detail });
const skip = (detail: string) => ({ status: 'skip' as const, detail });

const CHECKS: Check[] = [
  {
    name: 'migrations applied',
    async run({ db, migrationsDir }) {
      const files = readdirSync(migrationsDir)
        .filter((f) => /^\d+_.+\.sql$/.test(f))
        .sort();
      const applied = await appliedMigrationVersions(db);
      const missing = files.filter((f) => !applied.has(f.split('_')[0]!));
      return missing.length
        ? fail(`not applied: ${missing.join(', ')} (run \`supabase db push\` or \`npm run db:migrate -- --deploy\`)`)
        : pass(`${files.length}/${files.length}`);
    },
  },
  {
    name: 'DBOS system schema',
    async run({ db }) {
      return (await hasDbosSystemSchema(db))
        ? pass('dbos.workflow_status exists')
        : fail('missing: the webhook cannot enqueue; run `npm run db:migrate -- --deploy`');
    },
  },
  {
    name: 'RLS on every table',
    async run({ db }) {
      const off = await tablesWithoutRls(db);
      return off.length ? fail(`RLS off (readable through /rest/v1): ${off.join(', ')}`) : pass('every table in public has RLS enabled');
    },
  },
  {
    name: 'storage bucket private',
    async run({ env }) {
      if (env.STORAGE_DRIVER !== 'supabase') return skip("STORAGE_DRIVER=local: songs live on this machine's disk (no shared storage across machines)");
      const bucket = await inspectSupabaseBucket({
        supabaseUrl: env.SUPABASE_URL!,
        serverKey: supabaseServerKey(env)!,
        bucket: env.SUPABASE_STORAGE_BUCKET,
        requestTimeoutMs: 10_000,
      });
      if (!bucket.exists) return fail(`bucket "${env.SUPABASE_STORAGE_BUCKET}" does not exist (the worker creates it at start; or apply the migrations)`);
      return bucket.public
        ? fail(`bucket "${env.SUPABASE_STORAGE_BUCKET}" is PUBLIC: anyone could fetch songs without a signed URL`)
        : pass(`bucket "${env.SUPABASE_STORAGE_BUCKET}" is private`);
    },
  },
  {
    name: 'JWKS reachable',
    async run({ env }) {
      if (!env.SUPABASE_URL) return skip('SUPABASE_URL unset: only HS256 tokens (SUPABASE_JWT_SECRET) are accepted');
      const jwks = createRemoteJWKSet(supabaseJwksUrl(env.SUPABASE_URL), { timeoutDuration: 10_000 });
      await jwks.reload();
      const keys = jwks.jwks()?.keys ?? [];
      const algs = [...new Set(keys.map((k) => k.alg ?? k.kty))].join(', ');
      return keys.length
        ? pass(`${keys.length} signing key(s): ${algs}`)
        : pass('reachable, but no asymmetric keys yet: the project still signs with the legacy HS256 secret');
    },
  },
  {
    name: 'Stripe key mode matches the webhook endpoint',
    async run({ env, stripe }) {
      if (!stripe || !env.STRIPE_SECRET_KEY) return fail('STRIPE_SECRET_KEY unset: no real payments (local dev checkout)');
      const live = /^(sk|rk)_live_/.test(env.STRIPE_SECRET_KEY);
      const mode = live ? 'live' : 'test';
      const url = `${appUrl(env)}/api/stripe/webhook`;
      const endpoints = (await stripe.webhookEndpoints.list({ limit: 100 })).data.filter((e) => e.url === url && e.status === 'enabled');
      const endpoint = endpoints.find((e) => e.livemode === live);
      if (!endpoint) return fail(`no enabled ${mode}-mode webhook endpoint for ${url}; STRIPE_WEBHOOK_SECRET must be the signing secret of one`);
      const missing = endpoint.enabled_events.includes('*') ? [] : HANDLED_EVENT_TYPES.filter((t) => !endpoint.enabled_events.includes(t));
      return missing.length
        ? fail(`${endpoint.id} (${mode}) does not send: ${missing.join(', ')}`)
        : pass(`${endpoint.id} (${mode}) sends all ${HANDLED_EVENT_TYPES.length} events`);
    },
  },
];

/**
 * Checks a configured deployment before it serves traffic: migrations
 * applied, DBOS schema, RLS on every table, private bucket, JWKS reachable,
 * Stripe key mode matching an enabled webhook endpoint for APP_URL. Each check
 * runs even when an earlier one failed; a check that throws fails with the message.
 * @returns one result per check, in order.
 */
export async function runDeploymentChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    try {
      results.push({ name: check.name, ...(await check.run(deps)) });
    } catch (err) {
      results.push({ name: check.name, status: 'fail', detail: err instanceof Error ? err.message : String(err) });
    }
  }
  return results;
}
