import { describe, expect, it } from 'vitest';
import { devSignInBodySchema, devSignInEnabled } from '../../src/auth/dev-sign-in';
import { assertSameOrigin } from '../../src/auth/session';
import { parseEnv } from '../../src/config/env';

const APP = 'https://songs.example.com';
const post = (headers: Record<string, string>, method = 'POST') => new Request(`${APP}/api/x`, { method, headers });

describe('assertSameOrigin (cookie-authenticated state changes)', () => {
  it('passes our origin, and safe methods from anywhere', () => {
    expect(() => assertSameOrigin(post({ origin: APP }), APP)).not.toThrow();
    expect(() => assertSameOrigin(post({ origin: 'null', 'sec-fetch-site': 'same-origin' }), APP)).not.toThrow();
    expect(() => assertSameOrigin(new Request(`${APP}/api/x`, { headers: { origin: 'https://evil.example' } }), APP)).not.toThrow();
  });

  it.each([
    ['another site', { origin: 'https://evil.example' }],
    ['another port', { origin: 'https://songs.example.com:8443' }],
    ['plain http', { origin: 'http://songs.example.com' }],
    ['a sibling subdomain', { origin: 'https://evil.songs.example.com' }],
    ['no Origin', {}],
    ['Origin null from another site', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
    ['Origin null from the same site', { origin: 'null', 'sec-fetch-site': 'same-site' }],
  ])('refuses %s with 403', (_name, headers) => {
    expect(() => assertSameOrigin(post(headers), APP)).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => assertSameOrigin(post(headers, 'DELETE'), APP)).toThrow(expect.objectContaining({ status: 403 }));
  });
});

describe('dev sign-in', () => {
  it('goes only to paths on this site after signing in', () => {
    const next = (value: string) => devSignInBodySchema.parse({ email: 'a@example.test', next: value }).next;
    expect(next('/orders/123?checkout=success')).toBe('/orders/123?checkout=success');
    for (const evil of ['//evil.example/x', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '']) expect(next(evil)).toBe('/orders');
  });

  it('exists only in local mode without Supabase Auth', () => {
    const local = { SONGSWIPE_LOCAL_MODE: '1', STRIPE_WEBHOOK_SECRET: 'whsec_x', SUPABASE_JWT_SECRET: 'j'.repeat(40), STORAGE_SIGNING_SECRET: 's'.repeat(40) };
    expect(devSignInEnabled(parseEnv(local))).toBe(true);
    expect(devSignInEnabled(parseEnv({ ...local, SUPABASE_URL: 'https://abc.supabase.co' }))).toBe(false);
    const deployment = {
      ...local,
      SONGSWIPE_LOCAL_MODE: undefined,
      DATABASE_URL: 'postgres://u@db.example.com:5432/postgres',
      APP_URL: APP,
      STRIPE_SECRET_KEY: 'sk_test_x',
      MUSIC_PROVIDER: 'synth',
    };
    expect(devSignInEnabled(parseEnv(deployment))).toBe(false);
    // NODE_ENV=production with Supabase Auth configured: refused in either mode (issue 12)
    const supabase = { NODE_ENV: 'production', SUPABASE_URL: 'https://abc.supabase.co', SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_abc' };
    expect(devSignInEnabled(parseEnv({ ...local, ...supabase }))).toBe(false);
    expect(devSignInEnabled(parseEnv({ ...deployment, ...supabase }))).toBe(false);
  });
});
