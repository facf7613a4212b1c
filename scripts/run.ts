/**
 * Local launcher behind `npm run dev`, `npm start`, `npm run start:web`,
 * `npm run start:worker` and `npm run worker`.
 * Starts embedded PostgreSQL when DATABASE_URL is unset, migrates, then runs the
 * web app and/or the worker as child processes, and stops everything on
 * SIGINT/SIGTERM (the worker gets its drain time: GENERATION_ATTEMPT_TIMEOUT_MS
 * + 30 s; the web app its WEB_DRAIN_MS, while /api/ready answers 503) or when
 * the web app dies. Beside a web app, a worker that exits is
 * started again and never takes the web app down; alone, only one that lost its
 * executor lock is, up to 5 times in 10 minutes.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../src/logging/logger';
import { describeStartupError, prepareRuntime } from '../src/launcher/runtime';
import { anyFreePort, isPortFree } from '../src/launcher/ports';
import { serviceCommands, spawnService, stopService, type Mode } from '../src/launcher/services';
import { PROJECT_ROOT } from '../src/db/migrate';
import { drainTimeoutMs } from '../src/generation/drain';
import { EXECUTOR_LOCK_LOST_EXIT_CODE } from '../src/generation/executor-lock';

const USAGE = `usage: tsx scripts/run.ts <dev|start|worker> [--only=web|worker] [--no-migrate]

  dev      web (next dev) + worker (tsx), for development
  start    web (next start) + worker (dist/worker.mjs) from \`npm run build\`
           --only=web: the web app alone (npm run start:web)
           --only=worker: the worker alone (npm run start:worker)
  worker   the generation worker only, from source (tsx)

Honours DATABASE_URL and PORT. DATABASE_URL unset: embedded PostgreSQL under
.data/, in local mode. DATABASE_URL set: deployment mode (every setting must be
given; see .env.example), unless SONGSWIPE_LOCAL_MODE=1.`;

const [command, ...flags] = process.argv.slice(2);
const only = flags.find((f) => f.startsWith('--only='))?.slice('--only='.length);
if (
  !command ||
  flags.includes('--help') ||
  command === '--help' ||
  !['dev', 'start', 'worker'].includes(command) ||
  (only !== undefined && (command !== 'start' || !['web', 'worker'].includes(only)))
) {
  console.log(USAGE);
  process.exit(command === '--help' || flags.includes('--help') ? 0 : 2);
}

const log = createLogger().child({ component: 'launcher' });
const mode: Mode = command === 'start' ? 'start' : 'dev';
const services: Array<'web' | 'worker'> = command === 'worker' ? ['worker'] : only ? [only as 'web' | 'worker'] : ['web', 'worker'];
if (mode === 'start' && !existsSync(path.join(PROJECT_ROOT, services.includes('worker') ? 'dist/worker.mjs' : '.next/BUILD_ID'))) {
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
if (services.includes('web') && !(await isPortFree(port))) {
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
// Beside a web app, a worker that exits for any reason is started again, more
// slowly once it loops: a worker problem must not take the web app down. Alone,
// only a worker that lost its executor lock (75, a database restart) is, and the
// launcher gives up on a loop, so that its orchestrator sees the failure.
const RESTART_DELAY_MS = 2000;
const LOOPING_RESTART_DELAY_MS = 60_000;
const MAX_RESTARTS_PER_10_MIN = 5;
const workerRestarts: number[] = [];

function start(name: 'web' | 'worker'): void {
  const child = spawnService(name, commands[name], childEnv);
  children.set(name, child);
  child.on('exit', (code, signal) => {
    if (shuttingDown) return;
    if (name === 'worker') {
      const recent = workerRestarts.filter((t) => t > Date.now() - 600_000);
      const looping = recent.length >= MAX_RESTARTS_PER_10_MIN;
      if (services.includes('web') || (code === EXECUTOR_LOCK_LOST_EXIT_CODE && !looping)) {
        workerRestarts.push(Date.now());
        const delayMs = looping ? LOOPING_RESTART_DELAY_MS : RESTART_DELAY_MS;
        log[looping ? 'error' : 'warn'](
          { code, signal, restarts: recent.length + 1, delayMs },
          'the worker exited; starting it again (the web app keeps running)',
        );
        setTimeout(() => shuttingDown || start('worker'), delayMs);
        return;
      }
    }
    log.error({ service: name, code, signal }, 'a service exited; stopping the others');
    void shutdown(code || 1);
  });
}

let shuttingDown = false;
for (const name of services) start(name);
log.info({ command, services, mode: runtime.env.mode, port }, services.includes('web') ? `web on http://localhost:${port}` : 'worker starting');

// The worker drains on SIGTERM: provider calls under way finish and store their audio.
const WORKER_STOP_GRACE_MS = drainTimeoutMs(runtime.env.GENERATION_ATTEMPT_TIMEOUT_MS) + 5000;
// The web app drains on SIGTERM: /api/ready answers 503 for WEB_DRAIN_MS, then it exits.
const WEB_STOP_GRACE_MS = runtime.env.WEB_DRAIN_MS + 10_000;

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    await Promise.all([...children].map(([name, c]) => stopService(c, name === 'worker' ? WORKER_STOP_GRACE_MS : WEB_STOP_GRACE_MS)));
    await runtime!.stop();
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0));
