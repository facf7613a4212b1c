import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { registerGenerateSongWorkflow, registerRetryVariantWorkflow } from '../../src/generation/dbos-workflow';
import type { GenerationDeps } from '../../src/generation/generate-song';
import { APP_NAME, APP_VERSION, GENERATION_QUEUE } from '../../src/generation/workflow-names';
import { serviceCommands, spawnService } from '../../src/launcher/services';
import { createLocalStorage } from '../../src/storage/local-storage';
import { quietLog, WEBHOOK_SECRET } from './fixtures';

/** Fast test defaults for GenerationDeps: 3 s songs, short backoff, local storage in a temp dir. */
export function testGenerationDeps(db: GenerationDeps['db'], provider: GenerationDeps['provider'], overrides: Partial<GenerationDeps> = {}): GenerationDeps & { storageRoot: string } {
  const storageRoot = mkdtempSync(path.join(tmpdir(), 'songswipe-worker-'));
  return {
    db,
    provider,
    storage: createLocalStorage({ root: storageRoot, signingSecret: 'k'.repeat(32), baseUrl: 'http://app.test' }),
    lengthMs: 3000,
    retry: { maxAttempts: 3, backoff: { baseMs: 50, capMs: 200 }, maxRateLimitWaits: 12, pausePollMs: 100 },
    log: quietLog,
    storageRoot,
    ...overrides,
  };
}

/**
 * Runs the worker inside the test process (DBOS is one per process, and vitest
 * gives each file its own): registers both workflows, launches DBOS on `url`,
 * registers the queue after launch, as src/worker.ts does.
 * @returns the registered generate-song workflow, for direct starts.
 */
export async function launchInProcessWorker(url: string, deps: GenerationDeps, executorID: string) {
  const generateSong = registerGenerateSongWorkflow(deps);
  registerRetryVariantWorkflow(deps);
  DBOS.setConfig({ name: APP_NAME, systemDatabaseUrl: url, applicationVersion: APP_VERSION, executorID, logLevel: 'error' });
  await DBOS.launch();
  await DBOS.registerQueue(GENERATION_QUEUE, { workerConcurrency: 2, globalConcurrency: 2, minPollingIntervalMs: 100 });
  return { generateSong };
}

/** Worker env for the ElevenLabs provider pointed at a stub (test/support/elevenlabs-stub.ts), 2 calls at once, quick polling. */
export function stubbedWorkerEnv(stubUrl: string): Record<string, string> {
  return { MUSIC_PROVIDER: 'elevenlabs', ELEVENLABS_API_KEY: 'xi-test', ELEVENLABS_BASE_URL: stubUrl, GENERATION_CONCURRENCY: '2', QUEUE_POLL_MS: '100' };
}

/** Starts a real worker process (`node --import tsx src/worker-main.ts`) on `url`; its output goes to `output`. */
export function spawnWorkerProcess(url: string, env: Record<string, string>, output: string[]): ChildProcess {
  return spawnService(
    'worker',
    serviceCommands('dev', 0).worker,
    {
      ...process.env,
      DATABASE_URL: url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'songswipe-worker-')),
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SUPABASE_JWT_SECRET: 'j'.repeat(32),
      STORAGE_SIGNING_SECRET: 's'.repeat(32),
      SONG_LENGTH_MS: '3000',
      LOG_LEVEL: 'warn',
      ...env,
    },
    (line) => output.push(line),
  );
}
