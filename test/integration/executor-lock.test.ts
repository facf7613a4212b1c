import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockExecutorId } from '../../src/generation/executor-lock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { stealExecutorLock } from '../support/steal-executor-lock';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});

const noLoss = () => {
  throw new Error('lock reported lost');
};

/** Resolves with the loss reason `lockExecutorId` reports, or rejects after `ms`. */
function lossReport(ms: number): { onLost(reason: Error): void; reported: Promise<Error> } {
  let onLost!: (reason: Error) => void;
  const reported = new Promise<Error>((resolve, reject) => {
    onLost = resolve;
    setTimeout(() => reject(new Error(`no loss reported within ${ms} ms`)), ms).unref();
  });
  return { onLost, reported };
}

/**
 * A TCP relay to the test database that can stop forwarding without closing
 * anything: a connection that hangs, as over a partitioned network.
 */
async function relay(): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const target = new URL(db.url);
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) s.on('error', () => {});
    client.pipe(upstream).pipe(client);
    sockets.push(client, upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(db.url);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    freeze: () => {
      for (const s of sockets) s.unpipe();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const relays: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
});

describe('executor id lock', () => {
  it('lets one live process hold an executor id, and hands it over once released', async () => {
    const first = await lockExecutorId(db.url, 'worker-a', noLoss);
    await expect(lockExecutorId(db.url, 'worker-a', noLoss)).rejects.toThrow(/already running with WORKER_EXECUTOR_ID=worker-a.*WORKER_EXECUTOR_ID=worker-a-2/);
    const other = await lockExecutorId(db.url, 'worker-b', noLoss);
    await first.release();
    const second = await lockExecutorId(db.url, 'worker-a', noLoss);
    await Promise.all([second.release(), other.release()]);
  });

  it('takes the lock again at once when its connection is terminated and nobody took the id meanwhile', async () => {
    let reacquired!: () => void;
    const again = new Promise<void>((r) => (reacquired = r));
    const lock = await lockExecutorId(db.url, 'worker-c', noLoss, { onReacquired: () => reacquired() });
    await db.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'songswipe-worker:worker-c' and datname = current_database()`,
    );
    await again;
    await expect(lockExecutorId(db.url, 'worker-c', noLoss)).rejects.toThrow(/already running with WORKER_EXECUTOR_ID=worker-c/);
    await lock.release();
  });

  it('reports the loss at once when another process took the id while its connection was down', async () => {
    const loss = lossReport(5000);
    await lockExecutorId(db.url, 'worker-e', loss.onLost);
    const thief = await stealExecutorLock(db.url, 'worker-e');
    expect((await loss.reported).message).toMatch(/executor lock connection .*; another process took the executor id/);
    await thief.release();
  });

  it('reports the loss when the database stays unreachable for the whole re-acquire window', async () => {
    const link = await relay();
    relays.push(link);
    const loss = lossReport(10_000);
    await lockExecutorId(link.url, 'worker-f', loss.onLost, { reacquireWindowMs: 2000 });
    await link.close();
    expect((await loss.reported).message).toMatch(/executor lock connection .*; could not take it again: .*ECONNREFUSED/);
  });

  it('reports the loss when its connection hangs without closing (the periodic check times out)', async () => {
    const link = await relay();
    relays.push(link);
    const loss = lossReport(5000);
    const lock = await lockExecutorId(link.url, 'worker-d', loss.onLost, { checkIntervalMs: 500 });
    link.freeze();
    expect((await loss.reported).message).toMatch(/executor lock check failed/);
    await lock.release();
  });
});
