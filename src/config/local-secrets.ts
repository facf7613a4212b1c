import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { modeOf } from './env';

const LOCAL_SECRET_NAMES = ['STRIPE_WEBHOOK_SECRET', 'SUPABASE_JWT_SECRET', 'STORAGE_SIGNING_SECRET'] as const;
type LocalSecrets = Record<(typeof LOCAL_SECRET_NAMES)[number], string>;

function generate(): LocalSecrets {
  return {
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64url')}`,
    SUPABASE_JWT_SECRET: randomBytes(32).toString('base64url'),
    STORAGE_SIGNING_SECRET: randomBytes(32).toString('base64url'),
  };
}

function readSecrets(file: string): LocalSecrets | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file} is unreadable (${(err as Error).message}): delete it to get fresh local secrets`);
  }
}

/**
 * Writes fresh secrets to `file` unless another launcher got there first, and
 * returns whichever set won. Two launchers started together (`npm run dev`
 * next to `npm run worker`) must agree: the file appears whole (written
 * aside, then hard-linked, which fails if it exists) and is never overwritten.
 */
function createSecrets(dataDir: string, file: string): LocalSecrets {
  mkdirSync(dataDir, { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, JSON.stringify(generate(), null, 2), { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(draft, { force: true });
  }
  return readSecrets(file)!;
}

/**
 * Fills the secrets a local run needs but a developer should not have to invent:
 * each one unset in `target` is taken from `<dataDir>/local-secrets.json`, which is
 * created with fresh random values (mode 0600) on first use, once even when
 * launchers start together. Secrets that are set are never touched, so a real
 * deployment is unaffected.
 * @throws Error naming the file when it exists but is not valid JSON.
 *
 * Local mode only (see Mode in ./env), and only in the launchers, never in
 * the web app itself: a deployment must be configured explicitly, so it
 * neither generates a secret nor reads one from `.data/`.
 * @throws Error when `target` is not in local mode.
 */
export function applyLocalSecrets(dataDir: string, target: Record<string, string | undefined> = process.env): void {
  if (modeOf(target) !== 'local') throw new Error('local secrets exist only in local mode (SONGSWIPE_LOCAL_MODE=1)');
  if (LOCAL_SECRET_NAMES.every((name) => target[name])) return;
  const file = path.join(dataDir, 'local-secrets.json');
  const secrets = readSecrets(file) ?? createSecrets(dataDir, file);
  for (const name of LOCAL_SECRET_NAMES) {
    if (!target[name]) target[name] = secrets[name];
  }
}
