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
      /PORT[\s\S]*STRIPE_WEBHOOK_SECRET[\s\S]*SUPABASE_JWT_SECRET[\s\S]*GENERATION_CONCURRENCY[\s\S]*STORAGE_SIGNING_SECRET/,
    );
  });

  it('rejects a webhook secret that is not a whsec_ secret', () => {
    expect(() => parseEnv({ ...valid, STRIPE_WEBHOOK_SECRET: 'whsec_ok,sk_test_oops' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
  });

  it('requires ELEVENLABS_API_KEY with MUSIC_PROVIDER=elevenlabs', () => {
    expect(() => parseEnv({ ...valid, MUSIC_PROVIDER: 'elevenlabs' })).toThrow(/ELEVENLABS_API_KEY: is required/);
  });

  it('STRIPE_ALLOW_PROMOTION_CODES is off unless set to a yes, and names itself when it is neither', () => {
    expect(parseEnv(valid).STRIPE_ALLOW_PROMOTION_CODES).toBe(false);
    expect(parseEnv({ ...valid, STRIPE_ALLOW_PROMOTION_CODES: '1' }).STRIPE_ALLOW_PROMOTION_CODES).toBe(true);
    expect(parseEnv({ ...valid, STRIPE_ALLOW_PROMOTION_CODES: 'false' }).STRIPE_ALLOW_PROMOTION_CODES).toBe(false);
    expect(() => parseEnv({ ...valid, STRIPE_ALLOW_PROMOTION_CODES: 'maybe' })).toThrow(/STRIPE_ALLOW_PROMOTION_CODES/);
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ ...valid, DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });
});
