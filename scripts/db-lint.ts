/**
 * `npm run db:lint`: Supabase's database linter checks (splinter, in our own
 * SQL: scripts/lints/supabase-lints.ts) against DATABASE_URL or the embedded
 * database. Exits 1 on any finding that is not an accepted, documented one.
 */
import { connectClient } from '../src/db/pool';
import { createLogger } from '../src/logging/logger';
import { describeStartupError, prepareRuntime } from '../src/launcher/runtime';
import { LINTS, runLints } from './lints/supabase-lints';

if (process.argv.includes('--help')) {
  console.log(`usage: npm run db:lint

Runs ${LINTS.length} security and performance lints (Supabase splinter numbering) on the migrated
schema of DATABASE_URL (unset: the embedded PostgreSQL). Accepted findings are listed with their reason.`);
  process.exit(0);
}

let runtime;
try {
  runtime = await prepareRuntime(createLogger({ level: 'warn' }));
} catch (err) {
  console.error(describeStartupError(err));
  process.exit(1);
}
const client = await connectClient({ connectionString: runtime.databaseUrl });
const findings = await runLints((sql) => client.query(sql));
await client.end();
await runtime.stop();

for (const f of findings) {
  console.log(`${f.accepted ? 'accepted' : f.level.padEnd(8)} ${f.lint}  ${f.object}: ${f.detail}${f.accepted ? `\n         reason: ${f.accepted}` : ''}`);
}
const open = findings.filter((f) => !f.accepted);
console.log(`\n${LINTS.length} lints, ${findings.length} findings, ${open.length} not accepted`);
process.exit(open.length ? 1 : 0);
