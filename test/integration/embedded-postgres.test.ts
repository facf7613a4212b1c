import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/launcher/embedded-postgres';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { createLogger } from '../../src/logging/logger';
import { tempDir } from '../support/temp-dir';
import { connectClient } from '../../src/db/pool';

const log = createLogger({ level: 'silent' });
const tempDirs: string[] = [];
const children: ChildProcess[] = [];

/** A fresh data dir the postgres user can reach (the server runs as that user). */
function freshDataDir(): string {
  const dir = tempDir('embedded');
  chmodSync(dir, 0o755);
  tempDirs.push(dir);
  return dir;
}
const dataDir = freshDataDir();
const stateFile = path.join(dataDir, 'embedded-postgres.json');

const postmasterPid = (dir = dataDir) => Number(readFileSync(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
/** Whether `pid` is running (an exited process its new parent has not reaped yet, a zombie, is not). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** Pids of every postmaster started with `-D <dir>/postgres` (from /proc). */
function postmastersFor(dir: string): number[] {
  const pgDir = path.join(dir, 'postgres');
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.some((arg, i) => arg === '-D' && argv[i + 1] === pgDir);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

async function query(url: string): Promise<number> {
  const c = await connectClient({ connectionString: url });
  try {
    const { rows } = await c.query<{ n: number }>('select 1 as n');
    return rows[0]!.n;
  } finally {
    await c.end();
  }
}

/** A live process that has nothing to do with PostgreSQL, standing in for a recycled pid. */
function unrelatedProcess(): ChildProcess {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

/** Runs test/support/embedded-owner.ts in a child process and waits for its server. */
async function startOwner(dir = dataDir): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/embedded-owner.ts', dir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /ready (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`owner exited with ${code}: ${stderr.slice(-2000)}`)));
  });
  return { child, url };
}

async function stopServersIn(dir: string): Promise<void> {
  for (const pid of postmastersFor(dir)) process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (postmastersFor(dir).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) {
    await stopServersIn(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('embedded PostgreSQL lifecycle', () => {
  it('attaches to a server whose launcher is alive, and replaces an orphan whose launcher was SIGKILLed', async () => {
    const owner = await startOwner();
    const serverPid = postmasterPid();
    expect(await query(owner.url)).toBe(1);

    const attached = await startEmbeddedPostgres(dataDir, log);
    expect(attached.owned).toBe(false);
    expect(attached.url).toBe(owner.url);

    owner.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(serverPid)).toBe(true); // the orphan embedded-postgres leaves behind

    let db: EmbeddedDatabase | undefined;
    try {
      db = await startEmbeddedPostgres(dataDir, log);
      expect(db.owned).toBe(true);
      expect(alive(serverPid)).toBe(false);
      expect(postmasterPid()).not.toBe(serverPid);
      expect(await query(db.url)).toBe(1);
    } finally {
      await db?.stop();
    }
  });

  it('starts over a stale postmaster.pid, and stop() leaves no server running', async () => {
    writeFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), '999999\n/nowhere\n');
    const db = await startEmbeddedPostgres(dataDir, log);
    const pid = postmasterPid();
    expect(await query(db.url)).toBe(1);
    await db.stop();
    expect(alive(pid)).toBe(false);
  });

  it('never signals a live unrelated process that a stale postmaster.pid names (its launcher is dead)', async () => {
    const bystander = unrelatedProcess();
    writeFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), `${bystander.pid}\n${path.join(dataDir, 'postgres')}\n`);
    writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(readFileSync(stateFile, 'utf8')), ownerPid: await deadPid() }));

    const db = await startEmbeddedPostgres(dataDir, log);
    try {
      expect(db.owned).toBe(true);
      expect(await query(db.url)).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(bystander.exitCode).toBeNull();
      expect(bystander.signalCode).toBeNull();
    } finally {
      await db.stop();
    }
  });

  it('starts its own server when both the postmaster and the launcher pids were recycled by unrelated processes', async () => {
    const recycledServer = unrelatedProcess();
    const recycledLauncher = unrelatedProcess();
    writeFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), `${recycledServer.pid}\n${path.join(dataDir, 'postgres')}\n`);
    writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(readFileSync(stateFile, 'utf8')), ownerPid: recycledLauncher.pid }));

    const db = await startEmbeddedPostgres(dataDir, log);
    try {
      expect(db.owned).toBe(true);
      expect(await query(db.url)).toBe(1);
      expect(postmastersFor(dataDir)).toEqual([postmasterPid()]);
      expect(recycledServer.exitCode ?? recycledServer.signalCode).toBeNull();
      expect(recycledLauncher.exitCode ?? recycledLauncher.signalCode).toBeNull();
    } finally {
      await db.stop();
    }
  });

  it('two launchers started at the same moment on one fresh data dir both succeed and share one server', async () => {
    const dir = freshDataDir();
    const [a, b] = await Promise.all([startOwner(dir), startOwner(dir)]);
    expect(a.url).toBe(b.url);
    expect(await query(a.url)).toBe(1);
    expect(await query(b.url)).toBe(1);
    expect(postmastersFor(dir)).toEqual([postmasterPid(dir)]);
  });
});
