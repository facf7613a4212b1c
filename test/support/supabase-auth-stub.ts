import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

/** One email the stub "sent": what a person would find in their inbox. */
export interface SentEmail {
  email: string;
  type: 'magiclink';
  /** The 6-digit code Supabase's template shows as `{{ .Token }}`. */
  otp: string;
  /** `{{ .TokenHash }}`: what an `/auth/confirm?token_hash=…&type=email` link carries. */
  tokenHash: string;
  /** `{{ .ConfirmationURL }}`: `<SUPABASE_URL>/auth/v1/verify?token=…&type=magiclink&redirect_to=…`. */
  link: string;
  /** The `redirect_to` the app asked for (its callback route). */
  redirectTo: string | undefined;
}

interface StubUser {
  id: string;
  email: string;
  createdAt: string;
}

interface PendingSignIn {
  user: StubUser;
  otp: string;
  tokenHash: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  redirectTo: string | undefined;
  used: boolean;
}

/**
 * A local HTTP stand-in for Supabase Auth (GoTrue, `<SUPABASE_URL>/auth/v1`),
 * speaking the endpoints `@supabase/supabase-js`'s auth client calls for an
 * email magic link or OTP, with PKCE (Supabase docs, "PKCE flow";
 * supabase/auth `api/otp.go`, `api/verify.go`, `api/token.go`):
 * - `POST /otp` `{email, create_user, code_challenge, code_challenge_method}`
 *   (`?redirect_to=`) "sends" the email: recorded in `sent`, with its link,
 *   6-digit code and token hash;
 * - `GET /verify?token=&type=magiclink&redirect_to=` (the email's link):
 *   303 to `redirect_to?code=<auth code>` (PKCE), or 303 with `error=` when used/unknown;
 * - `POST /token?grant_type=pkce` `{auth_code, code_verifier}`: the session,
 *   when SHA-256(code_verifier) matches the challenge (S256) — once;
 * - `POST /verify` `{type, token_hash}` or `{type, email, token}`: the session;
 * - `POST /token?grant_type=refresh_token`, `GET /user`, `POST /logout`;
 * - `GET /.well-known/jwks.json`: the public key of the ES256 key that signs
 *   every access token, so the app verifies them as it verifies Supabase's.
 * Every route but `/verify` (GET) and the JWKS needs `apikey` = `publishableKey`.
 * @param createUser makes the `auth.users` row for a new email and returns its
 *   id: GoTrue writes that table in the project's own database.
 */
export async function startSupabaseAuthStub(options: { publishableKey: string; createUser: (email: string) => Promise<string> }) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig', key_ops: ['verify'], ext: true }] };
  const users = new Map<string, StubUser>();
  const pending: PendingSignIn[] = [];
  const codes = new Map<string, PendingSignIn>();
  const refreshTokens = new Map<string, StubUser>();
  const sent: SentEmail[] = [];
  const calls: { method: string; path: string; status: number }[] = [];
  let base = '';
  /** Lifetime of the access tokens it issues, s (Supabase's default: 3600). */
  let accessTokenSeconds = 3600;

  async function userFor(email: string): Promise<StubUser> {
    const key = email.toLowerCase();
    let user = users.get(key);
    if (!user) {
      user = { id: await options.createUser(key), email: key, createdAt: new Date().toISOString() };
      users.set(key, user);
    }
    return user;
  }

  function userJson(user: StubUser) {
    return {
      id: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: user.email,
      email_confirmed_at: user.createdAt,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
      identities: [],
      created_at: user.createdAt,
      updated_at: new Date().toISOString(),
      is_anonymous: false,
    };
  }

  async function session(user: StubUser) {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({
      email: user.email,
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: 'otp', timestamp: now }],
      session_id: randomUUID(),
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(`${base}/auth/v1`)
      .setAudience('authenticated')
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + accessTokenSeconds)
      .sign(privateKey);
    const refreshToken = randomBytes(12).toString('hex');
    refreshTokens.set(refreshToken, user);
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: accessTokenSeconds,
      expires_at: now + accessTokenSeconds,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString()).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 500, error_code: 'unexpected_failure', msg: String(err) }));
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = new URL(req.url!, base);
    const route = url.pathname.replace(/^\/auth\/v1/, '');
    const call = { method: req.method!, path: route, status: 0 };
    calls.push(call);
    const reply = (status: number, json: unknown) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const redirect = (location: string) => {
      call.status = 303;
      res.writeHead(303, { location });
      res.end();
    };
    // GoTrue's error body: {code, error_code, msg}
    const fail = (status: number, errorCode: string, msg: string) => reply(status, { code: status, error_code: errorCode, msg });

    if (req.method === 'GET' && route === '/.well-known/jwks.json') return reply(200, jwks);
    if (req.method === 'GET' && route === '/verify') {
      const target = url.searchParams.get('redirect_to') ?? base;
      const entry = pending.find((p) => p.tokenHash === url.searchParams.get('token') && !p.used);
      const back = new URL(target);
      if (!entry) {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_code', 'otp_expired');
        back.searchParams.set('error_description', 'Email link is invalid or has expired');
        return redirect(back.href);
      }
      entry.used = true;
      const code = randomUUID();
      codes.set(code, entry);
      back.searchParams.set('code', code);
      return redirect(back.href);
    }
    if (req.headers.apikey !== options.publishableKey) return fail(401, 'no_api_key', 'Invalid API key');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};

    if (req.method === 'POST' && route === '/otp') {
      if (typeof body.email !== 'string' || !body.email.includes('@'))
        return fail(400, 'validation_failed', 'Unable to validate email address: invalid format');
      const user = await userFor(body.email);
      const entry: PendingSignIn = {
        user,
        otp: String(100000 + (randomBytes(4).readUInt32BE() % 900000)),
        tokenHash: randomBytes(28).toString('hex'),
        codeChallenge: (body.code_challenge as string | null) ?? null,
        codeChallengeMethod: (body.code_challenge_method as string | null) ?? null,
        redirectTo: url.searchParams.get('redirect_to') ?? undefined,
        used: false,
      };
      pending.push(entry);
      const link = new URL(`${base}/auth/v1/verify`);
      link.searchParams.set('token', entry.tokenHash);
      link.searchParams.set('type', 'magiclink');
      if (entry.redirectTo) link.searchParams.set('redirect_to', entry.redirectTo);
      sent.push({ email: user.email, type: 'magiclink', otp: entry.otp, tokenHash: entry.tokenHash, link: link.href, redirectTo: entry.redirectTo });
      return reply(200, {});
    }
    if (req.method === 'POST' && route === '/token' && url.searchParams.get('grant_type') === 'pkce') {
      const entry = codes.get(String(body.auth_code ?? ''));
      if (!entry) return fail(404, 'flow_state_not_found', 'invalid flow state, no valid flow state found');
      codes.delete(String(body.auth_code));
      const verifier = String(body.code_verifier ?? '');
      const challenge = entry.codeChallengeMethod === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!verifier || challenge !== entry.codeChallenge) return fail(403, 'bad_code_verifier', 'code challenge does not match previously saved code verifier');
      return reply(200, await session(entry.user));
    }
    if (req.method === 'POST' && route === '/token' && url.searchParams.get('grant_type') === 'refresh_token') {
      const user = refreshTokens.get(String(body.refresh_token ?? ''));
      if (!user) return fail(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      refreshTokens.delete(String(body.refresh_token));
      return reply(200, await session(user));
    }
    if (req.method === 'POST' && route === '/verify') {
      const entry = pending.find(
        (p) => !p.used && (body.token_hash ? p.tokenHash === body.token_hash : p.user.email === String(body.email ?? '').toLowerCase() && p.otp === body.token),
      );
      if (!entry) return fail(403, 'otp_expired', 'Token has expired or is invalid');
      entry.used = true;
      return reply(200, await session(entry.user));
    }
    if (req.method === 'GET' && route === '/user') {
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const sub = bearer
        ? await jwtVerify(bearer, publicKey).then(
            (r) => r.payload.sub,
            () => undefined,
          )
        : undefined;
      const user = [...users.values()].find((u) => u.id === sub);
      return user ? reply(200, userJson(user)) : fail(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature');
    }
    if (req.method === 'POST' && route === '/logout') {
      call.status = 204;
      res.writeHead(204);
      return res.end();
    }
    return fail(404, 'not_found', `no route ${req.method} ${route}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /** SUPABASE_URL for the app. */
    url: base,
    /** Every email "sent", oldest first. */
    sent,
    /** Every request, for asserting which endpoints the SDK called. */
    calls,
    /** Issue access tokens that expire after `seconds` from now on (to exercise refreshing). */
    setAccessTokenSeconds(seconds: number) {
      accessTokenSeconds = seconds;
    },
    /** The last email sent to `email`. */
    lastEmailTo(email: string): SentEmail | undefined {
      return sent.filter((m) => m.email === email.toLowerCase()).at(-1);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SupabaseAuthStub = Awaited<ReturnType<typeof startSupabaseAuthStub>>;
