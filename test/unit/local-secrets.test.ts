import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyLocalSecrets } from '../../src/config/local-secrets';
import { tempDir } from '../support/temp-dir';

describe('local secrets', () => {
  it('two launchers on one fresh data dir get the same secrets, from one 0600 file and no leftovers', () => {
    const dir = tempDir('secrets');
    const web = { SONGSWIPE_LOCAL_MODE: '1', NODE_ENV: 'test' } as NodeJS.ProcessEnv;
    const worker = { SONGSWIPE_LOCAL_MODE: '1', NODE_ENV: 'test' } as NodeJS.ProcessEnv;
    applyLocalSecrets(dir, web);
    applyLocalSecrets(dir, worker);
    expect(worker.STORAGE_SIGNING_SECRET).toBe(web.STORAGE_SIGNING_SECRET);
    expect(web.STRIPE_WEBHOOK_SECRET).toMatch(/^whsec_/);
    expect(readdirSync(dir)).toEqual(['local-secrets.json']);
    expect(statSync(path.join(dir, 'local-secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('a half-written secrets file stops start-up with its name instead of being replaced under a running launcher', () => {
    const dir = tempDir('secrets');
    const file = path.join(dir, 'local-secrets.json');
    writeFileSync(file, '{"STRIPE_WEBHOOK_SEC');
    expect(() => applyLocalSecrets(dir, { SONGSWIPE_LOCAL_MODE: '1', NODE_ENV: 'test' } as NodeJS.ProcessEnv)).toThrow(/local-secrets\.json is unreadable/);
    expect(readFileSync(file, 'utf8')).toBe('{"STRIPE_WEBHOOK_SEC');
  });
});
