import { mkdirSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { Logger } from 'pino';

/** How long a holder that stopped refreshing its lock (SIGKILL, frozen) keeps it: proper-lockfile's `stale`, ms. */
const STALE_MS = 10_000;
/** How long a launcher waits for another to finish initdb and start-up, ms (initdb on a loaded machine takes a while). */
const WAIT_MS = 180_000;
const POLL_MS = 250;

/**
 * Runs `fn` while holding the data dir's file lock (`<dataDir>/launcher.lock`),
 * so that two launchers started at the same moment on one data dir (`npm run
 * dev` next to `npm run worker`) take turns: the first runs initdb and starts
 * the server, the second then finds it running and attaches, instead of both
 * running initdb in one folder or one deleting the other's half-written dir.
 *
 * proper-lockfile (mkdir lock, mtime refreshed while held) frees a lock whose
 * holder died after `STALE_MS`. If our own lock is compromised while held (its
 * refresh failed or came too late, so another launcher may have taken it), `fn`'s
 * result is discarded and this throws, rather than carry on unfenced.
 * @param dataDir the data folder (created if missing).
 * @throws Error when the lock is not free within `WAIT_MS`, or was compromised.
 */
export async function withDataDirLock<T>(dataDir: string, log: Logger, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dataDir, { recursive: true });
  const lockfilePath = path.join(dataDir, 'launcher.lock');
  let compromised: Error | undefined;
  const options = {
    lockfilePath,
    stale: STALE_MS,
    onCompromised: (err: Error) => {
      compromised = err;
      log.error({ err, lockfilePath }, 'lost the data dir lock while starting up; another launcher may have taken it');
    },
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    log.info({ lockfilePath }, 'another launcher is starting the database; waiting for it');
    const retries = { retries: Math.ceil(WAIT_MS / POLL_MS), factor: 1, minTimeout: POLL_MS, maxTimeout: POLL_MS };
    release = await lockfile.lock(dataDir, { ...options, retries }).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ELOCKED' ? new Error(`another launcher has held ${lockfilePath} for over ${WAIT_MS / 1000} s; is one stuck?`) : e;
    });
  }
  try {
    const result = await fn();
    if (compromised) throw new Error(`lost the lock on ${dataDir} during start-up: ${compromised.message}`);
    return result;
  } finally {
    if (!compromised) await release();
  }
}
