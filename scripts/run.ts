/**
 * Local launcher behind `npm run dev`, `npm start` and `npm run worker`.
 * Starts embedded PostgreSQL when DATABASE_URL is unset, migrates, then runs the
 * web app and/or the worker as child processes, and stops everything on
 * SIGINT/SIGTERM or when either child dies, except a worker that exits because
 * it lost its executor lock (a database restart): that one is started again.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../src/logging/logger';
import { describeStartupError, prepareRuntime } from '../src/launcher/runtime';
import { anyFreePort, isPortFree } from '../src/launcher/ports';
import { serviceCommands, spawnService, stopService, type Mode } from '../src/launcher/services';
import { PROJECT_ROOT } from '../src/db/migrate';
import { EXECUTOR_LOCK_LOST_EXIT_CODE } from '../src/generation/executor-lock';

const USAGE = `usage: tsx scripts/run.ts <dev|start|worker> [--no-migrate]

  dev      web (next dev) + worker (tsx), for development
  start    web (next start) + worker (dist/worker.mjs) from \`npm run build\`
  worker   the generation worker only

Honours DATABASE_URL and PORT. DATABASE_URL unset: embedded PostgreSQL under
.data/, in local mode. DATABASE_URL set: deployment mode (every setting must be
given; see .env.example), unless SONGSWIPE_LOCAL_MODE=1.`;

const [command, ...flags] = process.argv.slice(2);
if (!command || flags.includes('--help') || command === '--help' || !['dev', 'start', 'worker'].includes(command)) {
  console.log(USAGE);
  process.exit(command === '--help' || flags.includes('--help') ? 0 : 2);
}

const log = createLogger().child({ component: 'launcher' });
const mode: Mode = command === 'start' ? 'start' : 'dev';
if (mode === 'start' && !existsSync(path.join(PROJECT_ROOT, 'dist', 'worker.mjs'))) {
  console.error('No production build found: run `npm run build` first.');
  process.exit(1);
}

let runtime;
try {
  runtime = await prepareRuntime(log, { migrate: !flags.includes('--no-migrate') });
} catch (err) {
  console.error(describeStartupError(err));
  process.exit(1);
}

let port = runtime.env.PORT;
if (command !== 'worker' && !(await isPortFree(port))) {
  if (mode === 'start') {
    console.error(`port ${port} is in use: stop what holds it, or set PORT`);
    await runtime.stop();
    process.exit(1);
  }
  port = await anyFreePort();
  log.warn({ wanted: runtime.env.PORT, port }, 'PORT is in use; development server takes a free port instead');
}
const childEnv = {
  ...runtime.childEnv,
  PORT: String(port),
  // Deployment mode has APP_URL (parseEnv requires it); only local mode falls back to this port.
  ...(runtime.env.mode === 'local' && { APP_URL: process.env.APP_URL || `http://localhost:${port}` }),
  // `next start` runs the web app as production; the worker beside it is the same build.
  ...(mode === 'start' && { NODE_ENV: 'production' as const }),
};
const commands = serviceCommands(mode, port);
const children = new Map<'web' | 'worker', ChildProcess>();
// A worker that lost its executor lock exits (75) rather than run unfenced;
// start it again, but give up on a loop (the database is gone for good).
const RESTART_DELAY_MS = 2000;
const MAX_RESTARTS_PER_10_MIN = 5;
const workerRestarts: number[] = [];

function start(name: 'web' | 'worker'): void {
  const child = spawnService(name, commands[name], childEnv);
  children.set(name, child);
  child.on('exit', (code, signal) => {
    if (shuttingDown) return;
    const recent = workerRestarts.filter((t) => t > Date.now() - 600_000);
    if (name === 'worker' && code === EXECUTOR_LOCK_LOST_EXIT_CODE && recent.length < MAX_RESTARTS_PER_10_MIN) {
      workerRestarts.push(Date.now());
      log.warn({ restarts: recent.length + 1 }, 'the worker lost its executor lock and exited; starting it again');
      setTimeout(() => shuttingDown || start('worker'), RESTART_DELAY_MS);
      return;
    }
    log.error({ service: name, code, signal }, 'a service exited; stopping the others');
    void shutdown(code || 1);
  });
}

let shuttingDown = false;
if (command !== 'worker') start('web');
start('worker');
log.info({ command, mode: runtime.env.mode, port }, command === 'worker' ? 'worker starting' : `web on http://localhost:${port}`);

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    await Promise.all([...children.values()].map((c) => stopService(c)));
    await runtime!.stop();
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0));
