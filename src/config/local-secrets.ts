import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * Fills the secrets a local run needs but a developer should not have to invent:
 * each one unset in `target` is taken from `<dataDir>/local-secrets.json`, which is
 * created with fresh random values (mode 0600) on first use. Secrets that are set
 * are never touched, so a real deployment is unaffected.
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
  let secrets: LocalSecrets;
  try {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  } catch {
    secrets = generate();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  for (const name of LOCAL_SECRET_NAMES) {
    if (!target[name]) target[name] = secrets[name];
  }
}
