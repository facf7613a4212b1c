import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}

const token = '2f1c8d3e-6a4b-4c5d-9e7f-0a1b2c3d4e5f';
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXBhcnQ';

describe('log redaction', () => {
  it('censors share tokens, secrets, emails and stories in fields', () => {
    const { log, lines } = capture();
    log.info(
      {
        share_token: token,
        variant: { shareToken: token, story: 'private story', prompt: 'private prompt' },
        detail: { promptSuggestion: 'private suggestion', compositionPlanSuggestion: { lines: ['private plan'] } },
        apiKey: 'xi-secret',
        email: 'buyer@example.com',
        headers: { authorization: `Bearer ${jwt}`, 'stripe-signature': 't=1,v1=abc' },
      },
      'hello',
    );
    const out = lines.join('');
    for (const secret of [token, 'private story', 'private prompt', 'private suggestion', 'private plan', 'xi-secret', 'buyer@example.com', jwt, 'v1=abc']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[REDACTED]');
  });

  it('scrubs share paths, JWTs, keys, URL signatures and emails inside free text and errors', () => {
    const { log, lines } = capture();
    log.info({ url: `/s/${token}`, other: `GET /api/share/${token}?x=1` }, `visited /s/${token} with ${jwt}`);
    log.error({ err: new Error(`failed for /api/share/${token} key sk_test_abcdefghijkl mail a@b.io sig ?exp=1&sig=abcdef`) }, 'boom');
    const out = lines.join('');
    for (const secret of [token, jwt, 'sk_test_abcdefghijkl', 'a@b.io', 'sig=abcdef']) expect(out).not.toContain(secret);
    expect(out).toContain('/s/[REDACTED]');
    expect(out).toContain('/api/share/[REDACTED]');
  });

  it('scrubs magic-link sign-in codes, Supabase session tokens and secret keys', () => {
    const { log, lines } = capture();
    const code = '34e770dd-9ff9-416c-87fa-43b31d7ef225';
    log.warn(
      { session: { access_token: 'opaque-access', refresh_token: 'opaque-refresh' } },
      `GET /auth/callback?code=${code}&next=/orders and /auth/confirm?token_hash=pkce_abc123&type=email key sb_secret_AbC-123`,
    );
    const out = lines.join('');
    for (const secret of [code, 'pkce_abc123', 'opaque-access', 'opaque-refresh', 'sb_secret_AbC-123']) expect(out).not.toContain(secret);
    expect(out).toContain('next=/orders');
  });

  it('keeps the context a reader needs', () => {
    const { log, lines } = capture();
    log.child({ orderId: 'o-1', variantNumber: 2 }).warn({ stripeEventId: 'evt_123' }, 'provider call failed');
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ orderId: 'o-1', variantNumber: 2, stripeEventId: 'evt_123', msg: 'provider call failed' });
  });
});
