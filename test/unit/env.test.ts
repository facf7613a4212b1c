import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env';

const valid = {
  STRIPE_WEBHOOK_SECRET: 'whsec_a',
  SUPABASE_JWT_SECRET: 'x'.repeat(32),
  STORAGE_SIGNING_SECRET: 'y'.repeat(32),
};

describe('parseEnv', () => {
  it('applies the documented defaults', () => {
    const e = parseEnv(valid);
    expect(e).toMatchObject({ PORT: 3000, MUSIC_PROVIDER: 'synth', STORAGE_DRIVER: 'local', GENERATION_CONCURRENCY: 2, SONG_PRICE_CURRENCY: 'usd' });
    expect(e.DATABASE_URL).toBeUndefined();
  });

  it('splits comma-separated webhook secrets for rotation', () => {
    expect(parseEnv({ ...valid, STRIPE_WEBHOOK_SECRET: 'whsec_new, whsec_old' }).STRIPE_WEBHOOK_SECRET).toEqual(['whsec_new', 'whsec_old']);
  });

  it('names every missing or invalid variable', () => {
    expect(() => parseEnv({ PORT: 'eighty', GENERATION_CONCURRENCY: '0' })).toThrow(
      /PORT[\s\S]*STRIPE_WEBHOOK_SECRET[\s\S]*GENERATION_CONCURRENCY[\s\S]*STORAGE_SIGNING_SECRET/,
    );
  });

  it('needs SUPABASE_JWT_SECRET (HS256) unless SUPABASE_URL is set (JWKS)', () => {
    const { SUPABASE_JWT_SECRET: _secret, ...withoutSecret } = valid;
    expect(() => parseEnv(withoutSecret)).toThrow(/SUPABASE_JWT_SECRET: is required unless SUPABASE_URL is set/);
    expect(parseEnv({ ...withoutSecret, SUPABASE_URL: 'https://ref.supabase.co' }).SUPABASE_JWT_SECRET).toBeUndefined();
  });

  it('rejects a webhook secret that is not a whsec_ secret', () => {
    expect(() => parseEnv({ ...valid, STRIPE_WEBHOOK_SECRET: 'whsec_ok,sk_test_oops' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
  });

  it('requires ELEVENLABS_API_KEY with MUSIC_PROVIDER=elevenlabs', () => {
    expect(() => parseEnv({ ...valid, MUSIC_PROVIDER: 'elevenlabs' })).toThrow(/ELEVENLABS_API_KEY: is required/);
  });

  it('STORAGE_DRIVER=supabase names each missing Supabase variable at boot', () => {
    expect(() => parseEnv({ ...valid, STORAGE_DRIVER: 'supabase' })).toThrow(
      /SUPABASE_URL: is required when STORAGE_DRIVER=supabase[\s\S]*SUPABASE_SECRET_KEY: is required when STORAGE_DRIVER=supabase \(or the legacy SUPABASE_SERVICE_ROLE_KEY\)/,
    );
    expect(() => parseEnv({ ...valid, STORAGE_DRIVER: 'supabase', SUPABASE_URL: 'https://ref.supabase.co' })).toThrow(/SUPABASE_SECRET_KEY: is required/);
    const withSecret = parseEnv({ ...valid, STORAGE_DRIVER: 'supabase', SUPABASE_URL: 'https://ref.supabase.co', SUPABASE_SECRET_KEY: 'sb_secret_abc' });
    expect(withSecret).toMatchObject({ STORAGE_DRIVER: 'supabase', SUPABASE_STORAGE_BUCKET: 'songs' });
    const legacy = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2ln';
    expect(parseEnv({ ...valid, STORAGE_DRIVER: 'supabase', SUPABASE_URL: 'https://ref.supabase.co', SUPABASE_SERVICE_ROLE_KEY: legacy }).STORAGE_DRIVER).toBe('supabase');
  });

  it('refuses a publishable key where a server key belongs', () => {
    expect(() => parseEnv({ ...valid, SUPABASE_SECRET_KEY: 'sb_publishable_abc' })).toThrow(/SUPABASE_SECRET_KEY: must be a secret key/);
    expect(() => parseEnv({ ...valid, SUPABASE_SERVICE_ROLE_KEY: 'sb_publishable_abc' })).toThrow(/SUPABASE_SERVICE_ROLE_KEY: must be the legacy service_role JWT/);
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ ...valid, DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });
});
