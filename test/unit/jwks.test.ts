import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from '../../src/auth/dev-tokens';
import { authenticate, createAccessTokenVerifier } from '../../src/auth/jwt';
import { ServiceUnavailableError } from '../../src/errors';
import { createLogger } from '../../src/logging/logger';
import { errorResponse } from '../../src/server/http';

const USER = '7b0c5c1e-3a6f-4a4e-9d7c-2f1e0b9a8c7d';
const HS_SECRET = 'legacy-hs256-secret-0123456789abcdefghij';
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Mode = 'up' | 'reset' | 'status-500' | 'hang';

/** A stand-in for `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`, counting fetches. */
async function startJwksServer() {
  let keys: JWK[] = [];
  let mode: Mode = 'up';
  let fetches = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== '/auth/v1/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    if (mode === 'reset') return void req.socket.destroy();
    if (mode === 'hang') return;
    if (mode === 'status-500') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"upstream error"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setKeys: (k: JWK[]) => {
      keys = k;
    },
    setMode: (m: Mode) => {
      mode = m;
    },
    fetches: () => fetches,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface SigningKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(alg: 'ES256' | 'RS256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  // The shape Supabase publishes: kid, alg, use and key_ops beside the key material.
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig', key_ops: ['verify'], ext: true };
  return { kid, alg, privateKey, publicKey, jwk };
}

let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let es: SigningKey;
let rs: SigningKey;
let issuer: string;

beforeAll(async () => {
  jwks = await startJwksServer();
  issuer = `${jwks.url}/auth/v1`;
  es = await signingKey('ES256', 'es-key-1');
  rs = await signingKey('RS256', 'rs-key-1');
  jwks.setKeys([es.jwk, rs.jwk]);
});
afterAll(async () => {
  await jwks?.close();
});

/** A Supabase Auth access token signed by `key`; `claims` and `header` override the defaults. */
function userToken(key: { privateKey: CryptoKey | Uint8Array }, header: { alg: string; [k: string]: unknown }, claims: Record<string, unknown> = {}) {
  return new SignJWT({ role: 'authenticated', aal: 'aal1', app_metadata: { provider: 'email' }, ...claims })
    .setProtectedHeader({ typ: 'JWT', ...header })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : issuer)
    .setAudience(typeof claims.aud === 'string' ? claims.aud : 'authenticated')
    .setSubject(USER)
    .setIssuedAt()
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now() + 600)
    .sign(key.privateKey);
}

function verifier(options: { jwtSecret?: string; cooldownMs?: number; cacheMaxAgeMs?: number; timeoutMs?: number; logLines?: string[] } = {}) {
  const lines = options.logLines ?? [];
  const log = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  return createAccessTokenVerifier({
    jwtSecret: options.jwtSecret,
    supabaseUrl: jwks.url,
    log,
    jwks: { cooldownMs: options.cooldownMs ?? 30_000, cacheMaxAgeMs: options.cacheMaxAgeMs ?? 600_000, timeoutMs: options.timeoutMs ?? 1000 },
  });
}

describe('Supabase JWT signing keys (JWKS)', () => {
  it('accepts an ES256 token and an RS256 token from the project JWKS, fetching it once', async () => {
    const v = verifier();
    const before = jwks.fetches();
    await expect(v.verify(await userToken(es, { alg: 'ES256', kid: es.kid }))).resolves.toMatchObject({ sub: USER, role: 'authenticated' });
    await expect(v.verify(await userToken(rs, { alg: 'RS256', kid: rs.kid }))).resolves.toMatchObject({ sub: USER });
    await expect(authenticate(new Headers({ authorization: `Bearer ${await userToken(es, { alg: 'ES256', kid: es.kid })}` }), v)).resolves.toMatchObject({
      sub: USER,
    });
    expect(jwks.fetches() - before).toBe(1);
  });

  it('keeps the legacy HS256 path when SUPABASE_JWT_SECRET is set, with the project issuer', async () => {
    const v = verifier({ jwtSecret: HS_SECRET });
    await expect(v.verify(await mintAccessToken(HS_SECRET, USER, { issuer }))).resolves.toMatchObject({ sub: USER });
    await expect(v.verify(await mintAccessToken(HS_SECRET, USER, { issuer: 'https://other.supabase.co/auth/v1' }))).rejects.toMatchObject({ status: 401 });
    // Without the secret, HS256 is refused outright.
    await expect(verifier().verify(await mintAccessToken(HS_SECRET, USER, { issuer }))).rejects.toMatchObject({ status: 401, message: 'invalid access token' });
  });

  it('key rotation: a new kid is accepted after one refetch; within the cooldown an unknown kid is refused without a refetch', async () => {
    const v = verifier({ cooldownMs: 300 });
    await v.verify(await userToken(es, { alg: 'ES256', kid: es.kid }));
    const next = await signingKey('ES256', 'es-key-2');
    jwks.setKeys([es.jwk, rs.jwk, next.jwk]);
    const fetched = jwks.fetches();
    await expect(v.verify(await userToken(next, { alg: 'ES256', kid: next.kid }))).rejects.toMatchObject({ status: 401 });
    expect(jwks.fetches()).toBe(fetched); // cooling down: no refetch per unknown kid
    await sleep(350);
    await expect(v.verify(await userToken(next, { alg: 'ES256', kid: next.kid }))).resolves.toMatchObject({ sub: USER });
    expect(jwks.fetches()).toBe(fetched + 1);
    jwks.setKeys([es.jwk, rs.jwk]);
  });

  it('a key removed from the JWKS is refused once the cached set expires', async () => {
    const v = verifier({ cacheMaxAgeMs: 200, cooldownMs: 0 });
    const old = await signingKey('ES256', 'es-key-old');
    jwks.setKeys([es.jwk, rs.jwk, old.jwk]);
    const token = await userToken(old, { alg: 'ES256', kid: old.kid });
    await expect(v.verify(token)).resolves.toMatchObject({ sub: USER });
    jwks.setKeys([es.jwk, rs.jwk]);
    await sleep(250);
    await expect(v.verify(token)).rejects.toMatchObject({ status: 401, message: 'invalid access token' });
  });

  it.each([
    [
      'HS256 signed with the EC public key (PEM)',
      async () => userToken({ privateKey: new TextEncoder().encode(await exportSPKI(es.publicKey)) }, { alg: 'HS256', kid: es.kid }),
    ],
    [
      'HS256 signed with the RSA public key (PEM)',
      async () => userToken({ privateKey: new TextEncoder().encode(await exportSPKI(rs.publicKey)) }, { alg: 'HS256', kid: rs.kid }),
    ],
    [
      'HS256 signed with the public JWK as JSON',
      async () => userToken({ privateKey: new TextEncoder().encode(JSON.stringify(es.jwk)) }, { alg: 'HS256', kid: es.kid }),
    ],
    [
      'alg none',
      async () => {
        const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return `${b64({ alg: 'none', typ: 'JWT', kid: es.kid })}.${b64({ sub: USER, role: 'authenticated', aud: 'authenticated', iss: issuer, exp: now() + 600 })}.`;
      },
    ],
    ['RS256 naming the EC key', async () => userToken(await signingKey('RS256', 'x'), { alg: 'RS256', kid: es.kid })],
    ['ES256 naming the RSA key', async () => userToken(await signingKey('ES256', 'x'), { alg: 'ES256', kid: rs.kid })],
    ['ES256 from an attacker key claiming a real kid', async () => userToken(await signingKey('ES256', 'x'), { alg: 'ES256', kid: es.kid })],
    [
      'ES256 carrying its own key in the header (jwk)',
      async () => {
        const attacker = await signingKey('ES256', 'x');
        return userToken(attacker, { alg: 'ES256', jwk: await exportJWK(attacker.publicKey) });
      },
    ],
    [
      'ES384 (an algorithm Supabase does not use)',
      async () => {
        const { privateKey } = await generateKeyPair('ES384');
        return userToken({ privateKey }, { alg: 'ES384', kid: es.kid });
      },
    ],
    ['from another project (iss)', () => userToken(es, { alg: 'ES256', kid: es.kid }, { iss: 'https://other.supabase.co/auth/v1' })],
    ['for another audience', () => userToken(es, { alg: 'ES256', kid: es.kid }, { aud: 'anon' })],
  ])('refuses a confusion or foreign token: %s', async (_name, make) => {
    const v = verifier({ jwtSecret: HS_SECRET });
    await expect(v.verify(await make())).rejects.toMatchObject({ status: 401, message: 'invalid access token' });
  });

  it('checks exp and role on JWKS tokens too', async () => {
    const v = verifier();
    await expect(v.verify(await userToken(es, { alg: 'ES256', kid: es.kid }, { exp: now() - 60 }))).rejects.toMatchObject({
      status: 401,
      message: 'access token expired',
    });
    await expect(v.verify(await userToken(es, { alg: 'ES256', kid: es.kid }, { role: 'service_role' }))).rejects.toMatchObject({
      status: 401,
      message: 'access token is not a signed-in user token',
    });
  });

  it('refuses the publishable key and the anon key as a bearer', async () => {
    const v = verifier({ jwtSecret: HS_SECRET });
    await expect(authenticate(new Headers({ authorization: 'Bearer sb_publishable_abcdef' }), v)).rejects.toMatchObject({ status: 401 });
    const anon = await userToken(es, { alg: 'ES256', kid: es.kid }, { role: 'anon' });
    await expect(authenticate(new Headers({ authorization: `Bearer ${anon}` }), v)).rejects.toMatchObject({ status: 401 });
  });

  it.each(['reset', 'status-500', 'hang'] as const)('JWKS unreachable (%s): 503, logged once per outage, and it recovers', async (mode) => {
    const lines: string[] = [];
    const v = verifier({ logLines: lines, timeoutMs: 300, cacheMaxAgeMs: 100, cooldownMs: 0 });
    const token = await userToken(es, { alg: 'ES256', kid: es.kid });
    jwks.setMode(mode);
    for (let i = 0; i < 3; i++) {
      const err = await v.verify(token).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect(err).toMatchObject({ status: 503 });
    }
    const outageLines = () => lines.filter((l) => l.includes('JWKS unreachable'));
    expect(outageLines()).toHaveLength(1);
    // The route answers 503 with a JSON error, never a 401.
    const res = errorResponse(new ServiceUnavailableError('cannot verify access tokens right now; try again shortly'), createLogger({ level: 'silent' }));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'service_unavailable', message: 'cannot verify access tokens right now; try again shortly' } });

    jwks.setMode('up');
    await expect(v.verify(token)).resolves.toMatchObject({ sub: USER });
    expect(lines.filter((l) => l.includes('reachable again'))).toHaveLength(1);
    // A second outage is logged again, once.
    await sleep(150);
    jwks.setMode(mode);
    await expect(v.verify(token)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(v.verify(token)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(outageLines()).toHaveLength(2);
    jwks.setMode('up');
  });
});
