import { describe, expect, it } from 'vitest';
import { appUrl, bootWarnings, EnvError, parseEngineConfig, parseEnv, supabaseAuthEnabled } from '../../src/config/env';

const secrets = {
  STRIPE_WEBHOOK_SECRET: 'whsec_a',
  SUPABASE_JWT_SECRET: 'x'.repeat(32),
  STORAGE_SIGNING_SECRET: 'y'.repeat(32),
};
const local = { SONGSWIPE_LOCAL_MODE: '1', ...secrets };
const deployment = {
  ...secrets,
  DATABASE_URL: 'postgres://app@db.example.com:5432/postgres',
  APP_URL: 'https://songswipe.example.com',
  STRIPE_SECRET_KEY: 'sk_live_abc',
  MUSIC_PROVIDER: 'elevenlabs',
  ELEVENLABS_API_KEY: 'el-key',
};

/** The EnvError parseEnv throws for `source` (fails the test when it parses). */
function envError(source: Record<string, string>): EnvError {
  try {
    parseEnv(source);
  } catch (err) {
    if (err instanceof EnvError) return err;
    throw err;
  }
  throw new Error('expected the environment to be refused');
}

describe('parseEnv in local mode (SONGSWIPE_LOCAL_MODE=1)', () => {
  it('applies the documented defaults', () => {
    const e = parseEnv(local);
    expect(e).toMatchObject({
      mode: 'local',
      PORT: 3000,
      MUSIC_PROVIDER: 'synth',
      STORAGE_DRIVER: 'local',
      GENERATION_CONCURRENCY: 2,
      SONG_PRICE_CURRENCY: 'usd',
    });
    expect(e.DATABASE_URL).toBeUndefined();
    expect(appUrl(e)).toBe('http://localhost:3000');
  });

  it('splits comma-separated webhook secrets for rotation', () => {
    expect(parseEnv({ ...local, STRIPE_WEBHOOK_SECRET: 'whsec_new, whsec_old' }).STRIPE_WEBHOOK_SECRET).toEqual(['whsec_new', 'whsec_old']);
  });

  it('names every missing or invalid variable', () => {
    const err = envError({ SONGSWIPE_LOCAL_MODE: '1', PORT: 'eighty', GENERATION_CONCURRENCY: '0' });
    expect([err.mode, err.missing, err.invalid]).toEqual([
      'local',
      ['STORAGE_SIGNING_SECRET', 'STRIPE_WEBHOOK_SECRET', 'SUPABASE_JWT_SECRET'],
      ['GENERATION_CONCURRENCY', 'PORT'],
    ]);
    expect(err.message).toMatch(/missing: STORAGE_SIGNING_SECRET, STRIPE_WEBHOOK_SECRET, SUPABASE_JWT_SECRET\n\s+PORT: .+\n\s+GENERATION_CONCURRENCY: /);
  });

  it('needs SUPABASE_JWT_SECRET (HS256) unless SUPABASE_URL is set (JWKS)', () => {
    const { SUPABASE_JWT_SECRET: _secret, ...withoutSecret } = local;
    expect(() => parseEnv(withoutSecret)).toThrow(/SUPABASE_JWT_SECRET: is required unless SUPABASE_URL is set/);
    expect(parseEnv({ ...withoutSecret, SUPABASE_URL: 'https://ref.supabase.co' }).SUPABASE_JWT_SECRET).toBeUndefined();
  });

  it('ELEVENLABS_MUSIC_MODEL and ELEVENLABS_OUTPUT_FORMAT: documented defaults, and a bad value stops boot naming the variable', () => {
    expect(parseEnv(local)).toMatchObject({ ELEVENLABS_MUSIC_MODEL: 'music_v2_5', ELEVENLABS_OUTPUT_FORMAT: 'mp3_44100_128' });
    expect(parseEnv({ ...local, ELEVENLABS_MUSIC_MODEL: 'music_v1', ELEVENLABS_OUTPUT_FORMAT: 'mp3_48000_192' })).toMatchObject({
      ELEVENLABS_MUSIC_MODEL: 'music_v1',
      ELEVENLABS_OUTPUT_FORMAT: 'mp3_48000_192',
    });
    // pcm has no container an <audio> element plays from storage as audio/mpeg
    expect(envError({ ...local, ELEVENLABS_MUSIC_MODEL: 'music_v9', ELEVENLABS_OUTPUT_FORMAT: 'pcm_44100' }).invalid).toEqual([
      'ELEVENLABS_MUSIC_MODEL',
      'ELEVENLABS_OUTPUT_FORMAT',
    ]);
  });

  it('rejects a webhook secret that is not a whsec_ secret', () => {
    expect(() => parseEnv({ ...local, STRIPE_WEBHOOK_SECRET: 'whsec_ok,sk_test_oops' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
  });

  it('requires ELEVENLABS_API_KEY with MUSIC_PROVIDER=elevenlabs, named beside the other problems', () => {
    const err = envError({ SONGSWIPE_LOCAL_MODE: '1', MUSIC_PROVIDER: 'elevenlabs' });
    expect(err.missing).toEqual(['ELEVENLABS_API_KEY', 'STORAGE_SIGNING_SECRET', 'STRIPE_WEBHOOK_SECRET', 'SUPABASE_JWT_SECRET']);
    expect(err.message).toMatch(/ELEVENLABS_API_KEY/);
  });

  it('STORAGE_DRIVER=supabase names each missing Supabase variable at boot', () => {
    expect(() => parseEnv({ ...local, STORAGE_DRIVER: 'supabase' })).toThrow(
      /SUPABASE_URL: is required when STORAGE_DRIVER=supabase[\s\S]*SUPABASE_SECRET_KEY: is required when STORAGE_DRIVER=supabase \(or the legacy SUPABASE_SERVICE_ROLE_KEY\)/,
    );
    expect(() => parseEnv({ ...local, STORAGE_DRIVER: 'supabase', SUPABASE_URL: 'https://ref.supabase.co' })).toThrow(/SUPABASE_SECRET_KEY: is required/);
    const withSecret = parseEnv({ ...local, STORAGE_DRIVER: 'supabase', SUPABASE_URL: 'https://ref.supabase.co', SUPABASE_SECRET_KEY: 'sb_secret_abc' });
    expect(withSecret).toMatchObject({ STORAGE_DRIVER: 'supabase', SUPABASE_STORAGE_BUCKET: 'songs' });
    const legacy = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2ln';
    expect(parseEnv({ ...local, STORAGE_DRIVER: 'supabase', SUPABASE_URL: 'https://ref.supabase.co', SUPABASE_SERVICE_ROLE_KEY: legacy }).STORAGE_DRIVER).toBe(
      'supabase',
    );
  });

  it('Supabase Auth sign-in needs SUPABASE_URL with the publishable key, never a secret key', () => {
    expect(supabaseAuthEnabled(parseEnv(local))).toBe(false);
    expect(() => parseEnv({ ...local, SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_abc' })).toThrow(
      /SUPABASE_URL: is required when SUPABASE_PUBLISHABLE_KEY is set/,
    );
    expect(() => parseEnv({ ...local, SUPABASE_URL: 'https://ref.supabase.co', SUPABASE_PUBLISHABLE_KEY: 'sb_secret_abc' })).toThrow(
      /SUPABASE_PUBLISHABLE_KEY: must be a publishable key/,
    );
    expect(supabaseAuthEnabled(parseEnv({ ...local, SUPABASE_URL: 'https://ref.supabase.co' }))).toBe(false); // JWKS verification only
    const anon = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2ln';
    for (const key of ['sb_publishable_abc', anon]) {
      expect(supabaseAuthEnabled(parseEnv({ ...local, SUPABASE_URL: 'https://ref.supabase.co', SUPABASE_PUBLISHABLE_KEY: key }))).toBe(true);
    }
  });

  it('refuses a publishable key where a server key belongs', () => {
    expect(() => parseEnv({ ...local, SUPABASE_SECRET_KEY: 'sb_publishable_abc' })).toThrow(/SUPABASE_SECRET_KEY: must be a secret key/);
    expect(() => parseEnv({ ...local, SUPABASE_SERVICE_ROLE_KEY: 'sb_publishable_abc' })).toThrow(
      /SUPABASE_SERVICE_ROLE_KEY: must be the legacy service_role JWT/,
    );
  });

  it('STRIPE_ALLOW_PROMOTION_CODES is off unless set to a yes, and names itself when it is neither', () => {
    expect(parseEnv(local).STRIPE_ALLOW_PROMOTION_CODES).toBe(false);
    expect(parseEnv({ ...local, STRIPE_ALLOW_PROMOTION_CODES: '1' }).STRIPE_ALLOW_PROMOTION_CODES).toBe(true);
    expect(parseEnv({ ...deployment, STRIPE_ALLOW_PROMOTION_CODES: 'true' }).STRIPE_ALLOW_PROMOTION_CODES).toBe(true);
    expect(parseEnv({ ...local, STRIPE_ALLOW_PROMOTION_CODES: 'false' }).STRIPE_ALLOW_PROMOTION_CODES).toBe(false);
    expect(() => parseEnv({ ...local, STRIPE_ALLOW_PROMOTION_CODES: 'maybe' })).toThrow(/STRIPE_ALLOW_PROMOTION_CODES/);
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ ...local, DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it('accepts the test-only overrides', () => {
    const e = parseEnv({ ...local, STRIPE_API_BASE_URL: 'http://127.0.0.1:1234', ELEVENLABS_BASE_URL: 'http://127.0.0.1:5678' });
    expect([e.STRIPE_API_BASE_URL, e.ELEVENLABS_BASE_URL]).toEqual(['http://127.0.0.1:1234', 'http://127.0.0.1:5678']);
  });
});

describe('parseEnv in deployment mode (anything but SONGSWIPE_LOCAL_MODE=1)', () => {
  it('boot with an empty environment: names every variable a deployment must set, at once', () => {
    const err = envError({});
    expect(err.mode).toBe('deployment');
    expect(err.missing).toEqual([
      'APP_URL',
      'DATABASE_URL',
      'MUSIC_PROVIDER',
      'STORAGE_SIGNING_SECRET',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'SUPABASE_JWT_SECRET',
    ]);
    expect(err.invalid).toEqual([]);
    expect(err.message).toContain(
      'missing: APP_URL, DATABASE_URL, MUSIC_PROVIDER, STORAGE_SIGNING_SECRET, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SUPABASE_JWT_SECRET',
    );
  });

  it('parses a complete deployment environment', () => {
    const e = parseEnv(deployment);
    expect(e).toMatchObject({ mode: 'deployment', MUSIC_PROVIDER: 'elevenlabs', STRIPE_SECRET_KEY: 'sk_live_abc' });
    expect(appUrl(e)).toBe('https://songswipe.example.com');
  });

  it('takes synth only when chosen', () => {
    expect(envError({ ...deployment, MUSIC_PROVIDER: '' }).missing).toEqual(['MUSIC_PROVIDER']);
    expect(parseEnv({ ...deployment, MUSIC_PROVIDER: 'synth' }).MUSIC_PROVIDER).toBe('synth');
  });

  it('refuses the test-only overrides', () => {
    const err = envError({ ...deployment, STRIPE_API_BASE_URL: 'http://127.0.0.1:1234', ELEVENLABS_BASE_URL: 'http://127.0.0.1:5678' });
    expect([err.missing, err.invalid]).toEqual([[], ['ELEVENLABS_BASE_URL', 'STRIPE_API_BASE_URL']]);
    expect(err.message).toMatch(/STRIPE_API_BASE_URL: is a test-only override, refused in deployment mode/);
  });

  it('GENERATION_ENGINE defaults to dbos; inngest in deployment mode needs its signing and event keys and refuses the unsigned dev mode', () => {
    expect(parseEnv(deployment).GENERATION_ENGINE).toBe('dbos');
    expect(parseEnv(local).GENERATION_ENGINE).toBe('dbos');
    const missing = envError({ ...deployment, GENERATION_ENGINE: 'inngest' });
    expect([missing.missing, missing.invalid]).toEqual([['INNGEST_EVENT_KEY', 'INNGEST_SIGNING_KEY'], []]);
    expect(missing.message).toMatch(/INNGEST_SIGNING_KEY: is required when GENERATION_ENGINE=inngest in deployment mode/);
    const inngest = { ...deployment, GENERATION_ENGINE: 'inngest', INNGEST_SIGNING_KEY: `signkey-prod-${'a'.repeat(64)}`, INNGEST_EVENT_KEY: 'evt' };
    expect(parseEnv(inngest)).toMatchObject({ GENERATION_ENGINE: 'inngest', INNGEST_EVENT_KEY: 'evt' });
    expect(envError({ ...inngest, INNGEST_DEV: '1' }).invalid).toEqual(['INNGEST_DEV']);
    expect(envError({ ...inngest, INNGEST_SIGNING_KEY: 'sk_live_abc' }).invalid).toEqual(['INNGEST_SIGNING_KEY']);
    expect(envError({ ...deployment, GENERATION_ENGINE: 'temporal' }).invalid).toEqual(['GENERATION_ENGINE']);
    // Local mode: the dev server, unsigned, with no keys.
    expect(parseEnv({ ...local, GENERATION_ENGINE: 'inngest', INNGEST_DEV: '1' })).toMatchObject({ GENERATION_ENGINE: 'inngest', INNGEST_DEV: '1' });
  });

  it('parseEngineConfig reads only the engine settings, with the same rules', () => {
    expect(parseEngineConfig({})).toEqual({ GENERATION_ENGINE: 'dbos' });
    expect(() => parseEngineConfig({ GENERATION_ENGINE: 'inngst' })).toThrow(/GENERATION_ENGINE/);
  });

  it('a SONGSWIPE_LOCAL_MODE other than 1 is deployment mode, and a typo is named', () => {
    expect(parseEnv({ ...deployment, SONGSWIPE_LOCAL_MODE: '0' }).mode).toBe('deployment');
    const err = envError({ ...deployment, SONGSWIPE_LOCAL_MODE: 'true' });
    expect([err.mode, err.invalid]).toEqual(['deployment', ['SONGSWIPE_LOCAL_MODE']]);
  });
});

describe('bootWarnings', () => {
  it('warns loudly about a Stripe test key in a production deployment, and only then', () => {
    const testKey = { ...deployment, STRIPE_SECRET_KEY: 'sk_test_abc' };
    expect(bootWarnings(parseEnv({ ...testKey, NODE_ENV: 'production' }))).toEqual([
      expect.stringMatching(/STRIPE_SECRET_KEY is a TEST key while NODE_ENV=production/),
    ]);
    expect(bootWarnings(parseEnv({ ...deployment, NODE_ENV: 'production' }))).toEqual([]);
    expect(bootWarnings(parseEnv({ ...testKey, NODE_ENV: 'development' }))).toEqual([]);
    expect(bootWarnings(parseEnv({ ...local, STRIPE_SECRET_KEY: 'sk_test_abc', NODE_ENV: 'production' }))).toEqual([]);
  });
});
