import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listVariants } from '../../src/db/song-variants';
import { anyFreePort } from '../../src/launcher/ports';
import { stopService } from '../../src/launcher/services';
import { startElevenLabsStub } from '../support/elevenlabs-stub';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually, payForOrder } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';
import { spawnWorkerProcess, stubbedWorkerEnv } from '../support/worker';

let db: TestDatabase;
let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
const dataDir = tempDir('drain');
const workers: ChildProcess[] = [];
const output: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startElevenLabsStub({ latencyMs: 3000 });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopService(w, 1000)));
  await stub?.close();
});

async function startWorker(): Promise<{ child: ChildProcess; metricsPort: number }> {
  const metricsPort = await anyFreePort();
  const child = spawnWorkerProcess(
    db.url,
    {
      ...stubbedWorkerEnv(stub.url),
      DATA_DIR: dataDir,
      WORKER_EXECUTOR_ID: 'drain-test-worker',
      GENERATION_ATTEMPT_TIMEOUT_MS: '20000',
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
    },
    output,
  );
  workers.push(child);
  return { child, metricsPort };
}

/** The worker's readiness status code, or the error's message when it does not answer. */
const readiness = (port: number) =>
  fetch(`http://127.0.0.1:${port}/ready`).then(
    (r) => r.status,
    (err: Error) => err.message,
  );

const callsFor = (recipient: string) => stub.calls.filter((c) => c.prompt.includes(recipient)).length;

/**
 * Pays for an order, starts a worker, and once the stub is answering the
 * order's first call (3 s each) sends `signal`; then restarts the worker and
 * waits for the order to complete.
 * @returns the stub's calls for the order, the calls in flight at the signal, the variants complete right after the exit, and how the worker exited.
 */
async function interruptFirstCall(recipient: string, signal: 'SIGTERM' | 'SIGKILL') {
  const { orderId } = await payForOrder(db, { recipient_name: recipient });
  const { child: first, metricsPort } = await startWorker();
  await eventually(
    async () => callsFor(recipient) >= 1 && stub.concurrency().current >= 1,
    60_000,
    `the first call to reach the stub; worker output:\n${output.join('\n')}`,
  );
  const exited = new Promise<string>((resolve) => first.once('exit', (code, sig) => resolve(sig ?? `code ${code}`)));
  // Two variants may run at once (GENERATION_CONCURRENCY 2): a second call can start right now.
  const inFlightAtSignal = stub.concurrency().current;
  first.kill(signal);
  // While it drains, the worker tells its orchestrator it is not ready.
  const readyWhileStopping =
    signal === 'SIGTERM'
      ? await eventually(async () => (await readiness(metricsPort)) === 503 && 503, 2000, 'the draining worker to answer 503 on /ready')
      : undefined;
  const exit = await exited;
  const afterExit = await listVariants(db.pool, orderId);

  await startWorker();
  const variants = await eventually(
    async () => {
      const vs = await listVariants(db.pool, orderId);
      return vs.length === 3 && vs.every((v) => v.status === 'complete') ? vs : undefined;
    },
    90_000,
    `all variants to complete after the restart; worker output:\n${output.join('\n')}`,
  );
  for (const v of variants) expect(existsSync(path.join(dataDir, 'storage', v.storagePath!))).toBe(true);
  await Promise.all(workers.map((w) => stopService(w, 1000)));
  return { calls: callsFor(recipient), readyWhileStopping, inFlightAtSignal, completeAfterExit: afterExit.filter((v) => v.status === 'complete').length, exit };
}

describe('graceful drain', () => {
  it('SIGTERM during a provider call lets it finish and store its audio: the provider sees exactly 3 calls; SIGKILL pays for the abandoned call again', async () => {
    const term = await interruptFirstCall('Drain Sigterm', 'SIGTERM');
    expect(term.exit).toBe('code 0');
    expect(term.readyWhileStopping).toBe(503);
    expect(term.completeAfterExit).toBeGreaterThanOrEqual(term.inFlightAtSignal); // every call under way was stored before the exit
    expect(term.calls).toBe(3);
    expect(output.join('\n')).toContain('drained: no provider call in flight');

    const kill = await interruptFirstCall('Drain Sigkill', 'SIGKILL');
    expect(kill.exit).toBe('SIGKILL');
    expect(kill.completeAfterExit).toBe(0);
    expect(kill.calls).toBe(3 + kill.inFlightAtSignal); // every abandoned call was made again
    expect(kill.calls).toBeGreaterThanOrEqual(4);
    console.info(
      `graceful drain: provider calls per order under SIGTERM ${term.calls} (${term.inFlightAtSignal} in flight at the signal), under SIGKILL ${kill.calls} (${kill.inFlightAtSignal} in flight)`,
    );
  }, 240_000);
});
