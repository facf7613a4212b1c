import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { WEBHOOK_SECRET } from './fixtures';
import { tempDir } from './temp-dir';

/**
 * Runs `npm run admin -- <args>` (scripts/admin.ts) on `databaseUrl` in local
 * mode with test secrets, then `env`.
 * @returns the exit code, stdout's lines and stderr.
 */
export async function runAdmin(
  databaseUrl: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; lines: string[]; stderr: string }> {
  const run = promisify(execFile)(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/admin.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SONGSWIPE_LOCAL_MODE: '1',
      DATA_DIR: tempDir('admin'),
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SUPABASE_JWT_SECRET: 'j'.repeat(32),
      STORAGE_SIGNING_SECRET: 's'.repeat(32),
      LOG_LEVEL: 'silent',
      ...env,
    },
  });
  try {
    const { stdout, stderr } = await run;
    return { code: 0, lines: stdout.trim().split('\n'), stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, lines: (e.stdout ?? '').trim().split('\n'), stderr: e.stderr ?? '' };
  }
}
