/**
 * `npm run db:migrate`: brings DATABASE_URL (or the embedded server) to the
 * current schema with the Supabase CLI. Safe to re-run.
 *
 * `npm run db:migrate -- --deploy`: the release step for a Supabase project.
 * `supabase db push` applies our migrations but not the DBOS system schema, so
 * the first webhook would get 500s until a worker launched; this applies both,
 * never the compat bootstrap, and needs only DATABASE_URL.
 */
import { databaseUrlProblems } from '../src/config/database-url';
import { migrate } from '../src/db/migrate';
import { createLogger } from '../src/logging/logger';
import { describeStartupError, prepareDatabase } from '../src/launcher/runtime';

if (process.argv.includes('--help')) {
  console.log(`usage: npm run db:migrate [-- --deploy]

Applies the Supabase compat bootstrap (plain PostgreSQL only), supabase/migrations/*.sql
(Supabase CLI) and the DBOS system schema to DATABASE_URL, or to the embedded
PostgreSQL under .data/ when DATABASE_URL is unset. A re-run is a no-op.

--deploy   release step for a Supabase project: DATABASE_URL is required (session
           pooler or direct connection, sslmode=verify-full&sslrootcert=…); applies the
           migrations and the DBOS schema, never the compat bootstrap, and refuses a
           database without Supabase's auth schema.`);
  process.exit(0);
}

const log = createLogger().child({ component: 'migrate' });
try {
  if (process.argv.includes('--deploy')) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('--deploy needs DATABASE_URL (the Supabase session pooler or direct connection string)');
    const problems = databaseUrlProblems(url);
    if (problems.length) throw new Error(`DATABASE_URL: ${problems.join('; ')}`);
    await migrate(url, log, { deploy: true });
  } else {
    const runtime = await prepareDatabase(log);
    await runtime.stop();
  }
  log.info('database is up to date');
} catch (err) {
  console.error(describeStartupError(err));
  process.exit(1);
}
