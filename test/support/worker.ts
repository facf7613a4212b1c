import type { ChildProcess } from 'node:child_process';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { registerGenerateSongWorkflow, registerGenerationQueues, registerRetryVariantWorkflow } from '../../src/generation/dbos-workflow';
import type { GenerationDeps } from '../../src/generation/generate-song';
import { APP_NAME, APP_VERSION } from '../../src/generation/workflow-names';
import { serviceCommands, spawnService } from '../../src/launcher/services';
import { createLocalStorage } from '../../src/storage/local-storage';
import { quietLog, WEBHOOK_SECRET } from './fixtures';
import { tempDir } from './temp-dir';

/** Fast test defaults for GenerationDeps: 3 s songs, short backoff, local storage in a temp dir. */
export function testGenerationDeps(
  db: GenerationDeps['db'],
  provider: GenerationDeps['provider'],
  overrides: Partial<GenerationDeps> = {},
): GenerationDeps & { storageRoot: string } {
  const storageRoot = tempDir('worker');
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
 * registers the queues after launch, as src/worker.ts does.
 * @param concurrency provider slots (the provider queue's global concurrency).
 * @returns the registered generate-song workflow, for direct starts.
 */
export async function launchInProcessWorker(url: string, deps: GenerationDeps, executorID: string, concurrency = 2) {
  const generateSong = registerGenerateSongWorkflow(deps);
  registerRetryVariantWorkflow(deps);
  DBOS.setConfig({ name: APP_NAME, systemDatabaseUrl: url, applicationVersion: APP_VERSION, enablePatching: true, executorID, logLevel: 'error' });
  await DBOS.launch();
  await registerGenerationQueues(concurrency, 100);
  return { generateSong };
}

/** Worker env for the ElevenLabs provider pointed at a stub (test/support/elevenlabs-stub.ts), 2 calls at once, quick polling. */
export function stubbedWorkerEnv(stubUrl: string): Record<string, string> {
  return { MUSIC_PROVIDER: 'elevenlabs', ELEVENLABS_API_KEY: 'xi-test', ELEVENLABS_BASE_URL: stubUrl, GENERATION_CONCURRENCY: '2', QUEUE_POLL_MS: '100' };
}

/**
 * Spawns `argv` with the environment a test worker runs with (local mode, fast
 * songs, test secrets; tests point it at stubs with ELEVENLABS_BASE_URL), then
 * `env`. Without `env.DATA_DIR` it gets a temp one, removed after the test file.
 */
function spawnTestService(name: string, argv: string[], url: string, env: Record<string, string>, output: string[]): ChildProcess {
  return spawnService(
    name,
    argv,
    {
      ...process.env,
      SONGSWIPE_LOCAL_MODE: '1',
      DATABASE_URL: url,
      DATA_DIR: tempDir('worker'),
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

/** Starts a real worker process (`node --import tsx src/worker-main.ts`) on `url`; its output goes to `output`. */
export function spawnWorkerProcess(url: string, env: Record<string, string>, output: string[]): ChildProcess {
  return spawnTestService('worker', serviceCommands('dev', 0).worker, url, env, output);
}

/** Starts `npm run worker`'s launcher (`scripts/run.ts worker --no-migrate`) on `url`, which runs the worker as its child. */
export function spawnWorkerLauncher(url: string, env: Record<string, string>, output: string[]): ChildProcess {
  return spawnTestService('launcher', [process.execPath, '--import', 'tsx', 'scripts/run.ts', 'worker', '--no-migrate'], url, env, output);
}
