import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintAccessToken } from '../../src/auth/dev-tokens';
import { authenticate, createAccessTokenVerifier } from '../../src/auth/jwt';

const SECRET = 'unit-jwt-secret-0123456789abcdefghijkl';
const USER = '7b0c5c1e-3a6f-4a4e-9d7c-2f1e0b9a8c7d';
const key = new TextEncoder().encode(SECRET);
const verifier = createAccessTokenVerifier({ jwtSecret: SECRET });
const verifyAccessToken = (token: string) => verifier.verify(token);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function hs256(claims: Record<string, unknown>) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key);
}

describe('Supabase access token verification', () => {
  it('accepts a signed-in user token and returns its claims', async () => {
    const claims = await verifyAccessToken(await mintAccessToken(SECRET, USER));
    expect(claims).toMatchObject({ sub: USER, role: 'authenticated' });
  });

  it.each([
    ['expired', () => mintAccessToken(SECRET, USER, { expiresIn: '-1m' }), 'access token expired'],
    [
      'not yet valid (nbf)',
      () => hs256({ sub: USER, role: 'authenticated', aud: 'authenticated', exp: now() + 600, nbf: now() + 300 }),
      'access token not yet valid',
    ],
    ['signed with another secret', () => mintAccessToken('another-secret-0123456789abcdefghijklmn', USER), 'invalid access token'],
    [
      'alg none',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: USER, role: 'authenticated', aud: 'authenticated', exp: now() + 600 })}.`,
      'invalid access token',
    ],
    [
      'HS512 instead of HS256',
      () => new SignJWT({ sub: USER, role: 'authenticated', aud: 'authenticated', exp: now() + 600 }).setProtectedHeader({ alg: 'HS512' }).sign(key),
      'invalid access token',
    ],
    [
      'RS256 (asymmetric)',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({ sub: USER, role: 'authenticated', aud: 'authenticated', exp: now() + 600 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      },
      'invalid access token',
    ],
    [
      'HS/RS confusion: HS256 keyed with an RSA public key',
      async () => {
        const { publicKey } = await generateKeyPair('RS256');
        const pem = new TextEncoder().encode(await exportSPKI(publicKey));
        return new SignJWT({ sub: USER, role: 'authenticated', aud: 'authenticated', exp: now() + 600 }).setProtectedHeader({ alg: 'HS256' }).sign(pem);
      },
      'invalid access token',
    ],
    ['wrong audience', () => hs256({ sub: USER, role: 'authenticated', aud: 'anon', exp: now() + 600 }), 'invalid access token'],
    ['no exp', () => hs256({ sub: USER, role: 'authenticated', aud: 'authenticated' }), 'invalid access token'],
    [
      'the service-role key',
      () => hs256({ role: 'service_role', aud: 'authenticated', sub: USER, exp: now() + 600 }),
      'access token is not a signed-in user token',
    ],
    ['the anon key', () => hs256({ role: 'anon', aud: 'authenticated', sub: USER, exp: now() + 600 }), 'access token is not a signed-in user token'],
    ['the publishable key (not a JWT)', async () => 'sb_publishable_abc123', 'invalid access token'],
    ['a secret key (not a JWT)', async () => 'sb_secret_abc123', 'invalid access token'],
    ['the legacy anon key (no sub)', () => hs256({ iss: 'supabase', role: 'anon', iat: now(), exp: now() + 600 }), 'invalid access token'],
    [
      'a sub that is not a user id',
      () => hs256({ sub: 'admin', role: 'authenticated', aud: 'authenticated', exp: now() + 600 }),
      'access token is not a signed-in user token',
    ],
  ])('refuses a token that is %s, with a 401 that says why', async (_name, make, message) => {
    const token = await make();
    await expect(verifyAccessToken(token)).rejects.toMatchObject({ status: 401, message });
  });

  it('needs a Bearer header', async () => {
    await expect(authenticate(new Headers(), verifier)).rejects.toMatchObject({ status: 401, message: 'missing bearer token' });
    await expect(authenticate(new Headers({ authorization: 'Basic abc' }), verifier)).rejects.toMatchObject({ status: 401 });
    const token = await mintAccessToken(SECRET, USER);
    await expect(authenticate(new Headers({ authorization: `Bearer ${token}` }), verifier)).resolves.toMatchObject({ sub: USER });
  });
});
