/**
 * `npm run doctor`: checks a configured deployment (DATABASE_URL, Supabase,
 * Stripe) before it serves traffic. One PASS/FAIL/SKIP line per check; exits 1
 * when any check fails. Reads `.env` if present; changes nothing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describeStartupError } from '../src/launcher/runtime';
import { parseEnv } from '../src/config/env';
import { createPool } from '../src/db/pool';
import { PROJECT_ROOT } from '../src/db/migrate';
import { runDeploymentChecks } from '../src/doctor/deployment-checks';
import { createStripeClient } from '../src/payments/stripe-client';

if (process.argv.includes('--help')) {
  console.log(`usage: npm run doctor

Checks the deployment configured in the environment (or .env): migrations applied,
DBOS schema, RLS on every table, the storage bucket is private, the Supabase JWKS is
reachable, and the Stripe key's mode matches an enabled webhook endpoint for APP_URL.
Prints one line per check and exits 1 if any check fails. Changes nothing.`);
  process.exit(0);
}

const dotenv = path.join(PROJECT_ROOT, '.env');
if (existsSync(dotenv)) process.loadEnvFile(dotenv);
let env;
try {
  env = parseEnv(process.env);
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set: the doctor checks a deployed database');
} catch (err) {
  console.error(`FAIL  environment: ${describeStartupError(err)}`);
  process.exit(1);
}
console.log('PASS  environment: every variable validates (DATABASE_URL not on the transaction pooler, TLS settings usable)');
const db = createPool({ connectionString: env.DATABASE_URL, max: 2, application_name: 'songswipe-doctor' });
const results = await runDeploymentChecks({
  env,
  db,
  migrationsDir: path.join(PROJECT_ROOT, 'supabase', 'migrations'),
  stripe: createStripeClient(env),
}).finally(() => db.end());
for (const r of results) console.log(`${r.status.toUpperCase().padEnd(4)}  ${r.name}: ${r.detail}`);
process.exit(results.some((r) => r.status === 'fail') ? 1 : 0);
