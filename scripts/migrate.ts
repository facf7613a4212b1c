/**
 * `npm run db:migrate`: brings DATABASE_URL (or the embedded server) to the
 * current schema with the Supabase CLI. Safe to re-run.
 */
import { createLogger } from '../src/logging/logger';
import { describeStartupError, prepareDatabase } from '../src/launcher/runtime';

if (process.argv.includes('--help')) {
  console.log(`usage: npm run db:migrate

Applies the Supabase compat bootstrap (plain PostgreSQL only), supabase/migrations/*.sql
(Supabase CLI) and the DBOS system schema to DATABASE_URL, or to the embedded
PostgreSQL under .data/ when DATABASE_URL is unset. A re-run is a no-op.`);
  process.exit(0);
}

const log = createLogger().child({ component: 'migrate' });
try {
  const runtime = await prepareDatabase(log);
  await runtime.stop();
  log.info('database is up to date');
} catch (err) {
  console.error(describeStartupError(err));
  process.exit(1);
}
