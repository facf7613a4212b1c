import { existsSync } from 'node:fs';

/**
 * Supavisor's transaction-mode port. A transaction pooler hands each
 * transaction to any server connection, so session state does not survive:
 * session advisory locks (the worker's executor lock) and LISTEN/NOTIFY (DBOS)
 * break. Source: Supabase docs, "Accessing Postgres" (transaction mode "does not
 * support session-level features (SET, LISTEN/NOTIFY, …, or advisory locks)"),
 * https://supabase.com/docs/guides/self-hosting/accessing-postgres.
 */
export const TRANSACTION_POOLER_PORT = '6543';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Supabase-hosted databases: direct (`db.<ref>.supabase.co`) and Supavisor (`*.pooler.supabase.com`). */
function isSupabaseHost(host: string): boolean {
  return /\.supabase\.(co|com)$/.test(host);
}

/**
 * What is wrong with a DATABASE_URL for this app, as messages for the boot
 * error (empty when it is fine):
 * - port 6543 (the transaction pooler) is refused;
 * - a Supabase host needs `sslmode=verify-full` and `sslrootcert=<the project's CA file>`:
 *   node-postgres treats `sslmode=require` as verify-full against the system
 *   CAs, which do not include Supabase's, so it fails with "self-signed
 *   certificate in certificate chain";
 * - an `sslrootcert` that does not exist.
 */
export function databaseUrlProblems(url: string): string[] {
  const parsed = new URL(url);
  const problems: string[] = [];
  if (parsed.port === TRANSACTION_POOLER_PORT) {
    problems.push(
      "port 6543 is Supabase's transaction pooler, which breaks the session advisory locks and LISTEN/NOTIFY that the worker and DBOS rely on; use the session pooler (port 5432 on <region>.pooler.supabase.com) or the direct connection",
    );
  }
  const sslmode = parsed.searchParams.get('sslmode');
  const rootCert = parsed.searchParams.get('sslrootcert');
  if (rootCert && !existsSync(rootCert)) problems.push(`sslrootcert file ${rootCert} does not exist`);
  if (isSupabaseHost(parsed.hostname) && !LOCAL_HOSTS.has(parsed.hostname) && (sslmode !== 'verify-full' || !rootCert)) {
    problems.push(
      "a Supabase database needs sslmode=verify-full&sslrootcert=<path to the project CA certificate> (Dashboard → Database settings → SSL configuration → Download certificate); node-postgres cannot verify Supabase's CA chain against the system CAs",
    );
  }
  return problems;
}
