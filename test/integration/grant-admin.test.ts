import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantAdmin } from '../../src/admin/grant-admin';
import { PROJECT_ROOT } from '../../src/db/migrate';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';
import { WEBHOOK_SECRET } from '../support/fixtures';
import { tempDir } from '../support/temp-dir';

const SECRET_KEY = 'sb_secret_admin_api_test';
let db: TestDatabase;

/** A stand-in for Supabase Auth's admin API: `PUT /auth/v1/admin/users/:id`, checking the gateway headers. */
const requests: { path: string; apikey?: string; authorization?: string; body: unknown }[] = [];
let reply = { status: 200, body: {} as unknown };
const authServer = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    requests.push({
      path: `${req.method} ${req.url}`,
      apikey: req.headers.apikey as string,
      authorization: req.headers.authorization,
      body: JSON.parse(raw || 'null'),
    });
    if (req.headers.apikey !== SECRET_KEY) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Invalid API key"}');
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  });
});
let authUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await new Promise<void>((resolve) => authServer.listen(0, '127.0.0.1', resolve));
  authUrl = `http://127.0.0.1:${(authServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  authServer.closeAllConnections();
  await new Promise<void>((resolve) => authServer.close(() => resolve()));
});

async function userWithEmail(email: string) {
  const id = await createUser(db.pool, { appMetadata: { provider: 'email', providers: ['email'] } });
  await db.pool.query('update auth.users set email = $2 where id = $1', [id, email]);
  return id;
}
const appMetadata = async (id: string) => (await db.pool.query('select raw_app_meta_data as m from auth.users where id = $1', [id])).rows[0].m;

describe('npm run admin -- grant-admin <email>', () => {
  it('without Supabase configured, sets app_metadata.role directly and keeps the other keys', async () => {
    const id = await userWithEmail('direct@example.test');
    await expect(grantAdmin({ db: db.pool }, 'Direct@Example.test')).resolves.toEqual({ userId: id, via: 'database' });
    expect(await appMetadata(id)).toEqual({ provider: 'email', providers: ['email'], role: 'admin' });
  });

  it('with Supabase configured, goes through the Auth admin API with the secret key in apikey only', async () => {
    const id = await userWithEmail('api@example.test');
    reply = { status: 200, body: { id } };
    await expect(grantAdmin({ db: db.pool, supabase: { url: authUrl, serverKey: SECRET_KEY } }, 'api@example.test')).resolves.toEqual({
      userId: id,
      via: 'auth-admin-api',
    });
    expect(requests.at(-1)).toEqual({
      path: `PUT /auth/v1/admin/users/${id}`,
      apikey: SECRET_KEY,
      authorization: undefined,
      body: { app_metadata: { role: 'admin' } },
    });
    // Supabase Auth owns the user row: nothing is written behind its back.
    expect(await appMetadata(id)).toEqual({ provider: 'email', providers: ['email'] });
  });

  it('reports the API refusing, and an unknown email', async () => {
    await userWithEmail('refused@example.test');
    await expect(grantAdmin({ db: db.pool, supabase: { url: authUrl, serverKey: 'sb_secret_wrong' } }, 'refused@example.test')).rejects.toThrow(
      'Supabase Auth admin API answered 401: Invalid API key',
    );
    await expect(grantAdmin({ db: db.pool }, 'nobody@example.test')).rejects.toMatchObject({ status: 404, message: 'no user with email nobody@example.test' });
  });

  it('the command itself grants it (direct path) and exits 0', async () => {
    const id = await userWithEmail('cli@example.test');
    const { stdout } = await promisify(execFile)(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      ['scripts/admin.ts', 'grant-admin', 'cli@example.test'],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          DATA_DIR: tempDir('admin'),
          STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
          SUPABASE_JWT_SECRET: 'j'.repeat(32),
          STORAGE_SIGNING_SECRET: 's'.repeat(32),
          SUPABASE_URL: '',
          SUPABASE_SECRET_KEY: '',
          SUPABASE_SERVICE_ROLE_KEY: '',
        },
      },
    );
    expect(stdout).toContain(`cli@example.test (${id}) is now an admin (auth.users)`);
    expect((await appMetadata(id)).role).toBe('admin');
  });
});
