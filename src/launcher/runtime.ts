import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { EnvError, parseEnv, type Env } from '../config/env';
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
 * Prepares a local run: loads `.env` if present, fills local secrets, validates
 * the env, starts embedded PostgreSQL when DATABASE_URL is unset, and migrates.
 * @throws EnvError naming each bad variable; Error when the database or a
 *   migration fails.
 */
export async function prepareRuntime(log: Logger, options: { migrate?: boolean } = {}): Promise<Runtime> {
  const dotenv = path.join(PROJECT_ROOT, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  const dataDir = path.resolve(PROJECT_ROOT, process.env.DATA_DIR || '.data');
  process.env.DATA_DIR = dataDir;
  applyLocalSecrets(dataDir);
  const env = parseEnv(process.env);

  let stop = async () => {};
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres(dataDir, log);
    databaseUrl = embedded.url;
    stop = embedded.stop;
  }
  try {
    if (options.migrate !== false) await migrate(databaseUrl, log);
  } catch (err) {
    await stop();
    throw err;
  }
  const childEnv = { ...process.env, DATABASE_URL: databaseUrl };
  return { env: { ...env, DATABASE_URL: databaseUrl }, childEnv, databaseUrl, stop };
}

/** Prints an EnvError plainly (it names the variables) and anything else with its message. */
export function describeStartupError(err: unknown): string {
  if (err instanceof EnvError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
