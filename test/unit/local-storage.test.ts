import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../../src/errors';
import { createLocalStorage } from '../../src/storage/local-storage';
import { tempDir } from '../support/temp-dir';

const root = tempDir('storage');
const storage = createLocalStorage({ root, signingSecret: 's'.repeat(32), baseUrl: 'http://app.test' });
const key = 'songs/0b6c1f4e-1111-4222-8333-944455556666/variant-1.mp3';

function parts(url: string) {
  const u = new URL(url);
  return { key: decodeURIComponent(u.pathname.replace('/api/storage/', '')), exp: u.searchParams.get('exp'), sig: u.searchParams.get('sig') };
}

describe('local storage', () => {
  it('stores bytes and serves them through a signed URL', async () => {
    await storage.put(key, new Uint8Array([1, 2, 3]), 'audio/mpeg');
    const url = await storage.signedUrl(key, 60);
    expect(url).toMatch(/^http:\/\/app\.test\/api\/storage\/songs\/.+\?exp=\d+&sig=/);
    const p = parts(url);
    const object = await storage.resolveSigned(p.key, p.exp, p.sig);
    expect(object.contentType).toBe('audio/mpeg');
    expect([...readFileSync(object.file)]).toEqual([1, 2, 3]);
  });

  it('refuses a tampered signature, key or expiry with 403', async () => {
    const p = parts(await storage.signedUrl(key, 60));
    const flipped = p.sig!.slice(0, -1) + (p.sig!.endsWith('A') ? 'B' : 'A');
    await expect(storage.resolveSigned(p.key, p.exp, flipped)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(storage.resolveSigned(p.key.replace('variant-1', 'variant-2'), p.exp, p.sig)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(storage.resolveSigned(p.key, String(Number(p.exp) + 3600), p.sig)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(storage.resolveSigned(p.key, null, null)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses an expired URL with 403', async () => {
    const p = parts(await storage.signedUrl(key, 10));
    await expect(storage.resolveSigned(p.key, p.exp, p.sig, Date.now() + 11_000)).rejects.toThrow(/expired/);
  });

  it('never resolves a key outside the storage root', async () => {
    for (const bad of ['../secrets.mp3', 'songs/../../etc/passwd', '/etc/passwd', 'songs/%2e%2e/x.mp3', 'songs\\x.mp3']) {
      await expect(storage.put(bad, new Uint8Array([0]), 'audio/mpeg')).rejects.toBeInstanceOf(NotFoundError);
    }
  });
});
