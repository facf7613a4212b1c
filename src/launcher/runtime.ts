import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { EnvError, modeOf, parseDatabaseUrl, parseEnv, type Env } from '../config/env';
import { applyLocalSecrets } from '../config/local-secrets';
import { startEmbeddedPostgres } from './embedded-postgres';
import { migrate, PROJECT_ROOT } from '../db/migrate';

export interface Runtime {
  env: Env;
  /** The environment to hand to child processes (DATABASE_URL always set). */
  childEnv: NodeJS.ProcessEnv;
  databaseUrl: string;
  /** Stops what this runtime started (the embedded server, if it owns it). */
  stop(): Promise<void>;
}

/**
 * Decides the mode of a launcher run (`npm run demo|dev|start|worker`, the
 * admin and migrate scripts) and validates its environment. `target` is
 * updated in place, because the web app and worker inherit it:
 * - DATABASE_URL and SONGSWIPE_LOCAL_MODE both unset: the launcher will start
 *   embedded PostgreSQL, which is local mode, so SONGSWIPE_LOCAL_MODE=1 is set
 *   for the services to agree;
 * - local mode: secrets left unset come from `<dataDir>/local-secrets.json`;
 * - deployment mode (`SONGSWIPE_LOCAL_MODE=0` pins it on a host): nothing is
 *   defaulted, generated or read from `dataDir`.
 * @returns the validated env (its `mode` says which).
 * @throws EnvError naming every missing or invalid variable.
 */
export function resolveLauncherEnv(target: Record<string, string | undefined>, dataDir: string): Env {
  if (!target.DATABASE_URL && !target.SONGSWIPE_LOCAL_MODE) target.SONGSWIPE_LOCAL_MODE = '1';
  if (modeOf(target) === 'local') applyLocalSecrets(dataDir, target);
  return parseEnv(target);
}

/** Reads `.env` (if present) into process.env and resolves DATA_DIR. @returns the data dir. */
function loadLauncherEnv(): string {
  const dotenv = path.join(PROJECT_ROOT, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  const dataDir = path.resolve(PROJECT_ROOT, process.env.DATA_DIR || '.data');
  process.env.DATA_DIR = dataDir;
  return dataDir;
}

/** `url`, or a started embedded server when it is unset; migrated unless told not to. */
async function openDatabase(url: string | undefined, dataDir: string, log: Logger, migrateIt: boolean) {
  let stop = async () => {};
  let databaseUrl = url;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres(dataDir, log);
    databaseUrl = embedded.url;
    stop = embedded.stop;
  }
  try {
    if (migrateIt) await migrate(databaseUrl, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { databaseUrl, stop };
}

/**
 * Prepares a launcher run of the services: loads `.env` if present, decides
 * the mode and validates the env (resolveLauncherEnv) before anything starts,
 * starts embedded PostgreSQL when DATABASE_URL is unset, and migrates.
 * @throws EnvError naming each bad variable; Error when the database or a
 *   migration fails.
 */
export async function prepareRuntime(log: Logger, options: { migrate?: boolean } = {}): Promise<Runtime> {
  const dataDir = loadLauncherEnv();
  const env = resolveLauncherEnv(process.env, dataDir);
  const { databaseUrl, stop } = await openDatabase(env.DATABASE_URL, dataDir, log, options.migrate !== false);
  const childEnv = { ...process.env, DATABASE_URL: databaseUrl };
  return { env: { ...env, DATABASE_URL: databaseUrl }, childEnv, databaseUrl, stop };
}

/**
 * Prepares a database-only tool (`npm run db:migrate`, `npm run admin`):
 * DATABASE_URL, or the embedded server when it is unset. Reads no secret and
 * generates none, in either mode, so an operator needs only DATABASE_URL.
 * @throws EnvError for a malformed DATABASE_URL; Error when the database or a
 *   migration fails.
 */
export async function prepareDatabase(log: Logger, options: { migrate?: boolean } = {}): Promise<{ databaseUrl: string; stop(): Promise<void> }> {
  const dataDir = loadLauncherEnv();
  return openDatabase(parseDatabaseUrl(process.env), dataDir, log, options.migrate !== false);
}

/** Prints an EnvError plainly (it names the variables) and anything else with its message. */
export function describeStartupError(err: unknown): string {
  if (err instanceof EnvError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
