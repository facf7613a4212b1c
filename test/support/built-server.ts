import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { anyFreePort } from '../../src/launcher/ports';
import { serviceCommands, spawnService, stopService, waitForHttp } from '../../src/launcher/services';
import { WEBHOOK_SECRET } from './fixtures';
import { tempDir } from './temp-dir';

export const E2E_JWT_SECRET = 'e2e-jwt-secret-0123456789abcdefghijkl';
export const E2E_STORAGE_SECRET = 'e2e-storage-secret-0123456789abcdefgh';

/**
 * Runs `npm run build` once per test run, however many e2e files ask: the
 * first caller builds under an exclusive lock file, the others wait for it.
 */
export async function ensureProductionBuild(): Promise<void> {
  const base = path.join(PROJECT_ROOT, '.data', `build-${inject('runId')}`);
  mkdirSync(path.dirname(base), { recursive: true });
  try {
    writeFileSync(`${base}.lock`, String(process.pid), { flag: 'wx' });
  } catch {
    const deadline = Date.now() + 300_000;
    while (!existsSync(`${base}.done`)) {
      if (existsSync(`${base}.failed`)) throw new Error(`production build failed: ${readFileSync(`${base}.failed`, 'utf8')}`);
      if (Date.now() > deadline) throw new Error('timed out waiting for the production build');
      await new Promise((r) => setTimeout(r, 500));
    }
    return;
  }
  try {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 });
    writeFileSync(`${base}.done`, '');
  } catch (err) {
    writeFileSync(`${base}.failed`, String((err as Error).message).slice(0, 4000));
    throw err;
  }
}

export interface BuiltServer {
  base: string;
  /** Process id of the web service (the supervisor that runs `next start`). */
  webPid: number;
  /** The worker's DBOS executor id. */
  executorId: string;
  /** Every line the web app and the worker wrote. */
  logs: string[];
  /** The services that have exited so far, e.g. `['worker (code 1)']`; empty while both run. */
  exited(): string[];
  stop(): Promise<void>;
}

/**
 * Starts the production web app and worker (`npm start`'s processes) on
 * `databaseUrl`, in local mode (SONGSWIPE_LOCAL_MODE=1: the suites drive the
 * dev checkout and sign their own webhooks) unless `extraEnv` says otherwise.
 */
export async function startBuiltServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<BuiltServer> {
  await ensureProductionBuild();
  const port = await anyFreePort();
  const base = `http://localhost:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: 'production' as const,
    SONGSWIPE_LOCAL_MODE: '1',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    APP_URL: base,
    DATA_DIR: tempDir('e2e'),
    STRIPE_WEBHOOK_SECRET: `whsec_rotated_out_00000000000000,${WEBHOOK_SECRET}`,
    SUPABASE_JWT_SECRET: E2E_JWT_SECRET,
    STORAGE_SIGNING_SECRET: E2E_STORAGE_SECRET,
    SYNTH_LATENCY_MS: '200',
    SONG_LENGTH_MS: '6000',
    LOG_LEVEL: 'info',
    NEXT_TELEMETRY_DISABLED: '1',
    WORKER_EXECUTOR_ID: `e2e-${port}`,
    ...extraEnv,
  };
  const logs: string[] = [];
  const commands = serviceCommands('start', port);
  const services: [string, ChildProcess][] = [
    ['web', spawnService('web', commands.web, env, (l) => logs.push(l))],
    ['worker', spawnService('worker', commands.worker, env, (l) => logs.push(l))],
  ];
  const stop = async () => void (await Promise.all(services.map(([, child]) => stopService(child))));
  try {
    await waitForHttp(`${base}/api/health`, 60_000, () => services.every(([, child]) => child.exitCode === null));
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
  }
  return {
    base,
    webPid: services[0]![1].pid!,
    executorId: env.WORKER_EXECUTOR_ID,
    logs,
    exited: () =>
      services
        .filter(([, child]) => child.exitCode !== null || child.signalCode !== null)
        .map(([name, child]) => `${name} (${child.signalCode ?? `code ${child.exitCode}`})`),
    stop,
  };
}

export interface LaunchedProcess {
  /** Every line it (and the services it started) wrote. */
  output: string[];
  /** Resolves with the exit code once it has exited. */
  exited: Promise<number | null>;
  running(): boolean;
  stop(): Promise<void>;
}

/**
 * Runs one command from the production build with exactly `env` (plus PATH,
 * HOME and NODE_ENV=production), the way a host would: no
 * SONGSWIPE_LOCAL_MODE unless given.
 * @param argv e.g. `npm start`'s launcher, or one of serviceCommands('start').
 */
export async function launchBuilt(name: string, argv: string[], env: Record<string, string>): Promise<LaunchedProcess> {
  await ensureProductionBuild();
  const output: string[] = [];
  const hostEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NEXT_TELEMETRY_DISABLED: '1', ...env, NODE_ENV: 'production' };
  const child = spawnService(name, argv, hostEnv, (l) => output.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { output, exited, running: () => child.exitCode === null && child.signalCode === null, stop: () => stopService(child) };
}

/** `npm start` (scripts/run.ts start) without migrating: test databases are cloned from a migrated template. */
export const NPM_START = [process.execPath, '--import', 'tsx', 'scripts/run.ts', 'start', '--no-migrate'];
