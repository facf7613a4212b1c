import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from '../../src/auth/dev-tokens';
import { type BuiltServer, E2E_JWT_SECRET, startBuiltServer } from '../support/built-server';
import { createTestDatabase, createUser, type TestDatabase } from '../support/database';

// A chunked upload declares no Content-Length, so a limit checked only against
// that header (or after reading the whole body) protects nothing: the server must
// count bytes as they arrive and stop at the limit.

let db: TestDatabase;
let server: BuiltServer;
let token: string;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startBuiltServer(db.url);
  token = await mintAccessToken(E2E_JWT_SECRET, await createUser(db.pool));
  // Warm up with small refused bodies: the server's first requests load route modules,
  // pools and clients and grow its heap by ~10 MB whatever the body size (measured),
  // which would hide nothing but blur the figure below.
  for (let i = 0; i < 10; i++) {
    for (const [path, limit] of ROUTES) {
      expect((await postChunked(`${server.base}${path}`, 2 * limit, { authorization: `Bearer ${token}` })).status).toBe(413);
    }
  }
}, 300_000);

/** Routes with their body limits, bytes. */
const ROUTES: [string, number][] = [
  ['/api/stripe/webhook', 1024 * 1024],
  ['/api/customizations', 64 * 1024],
  ['/api/checkout', 64 * 1024],
  ['/api/dev/checkout/cs_test_dev_nope', 64 * 1024],
];

afterAll(async () => {
  await server?.stop();
});

/** Resident set size (`VmRSS`) of a process, bytes. */
function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

/** The process listening for the web app: the Next.js server under the supervisor. */
function nextServerPid(supervisorPid: number): number {
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'))![1]) === supervisorPid;
      } catch {
        return false; // exited meanwhile
      }
    });
  expect(children).toHaveLength(1);
  return Number(children[0]);
}

/**
 * Streams `totalBytes` of filler as a chunked POST (a stream body has no
 * Content-Length), produced only as fast as the server reads it; resolves with
 * the answer, which may come before the upload ends.
 */
async function postChunked(url: string, totalBytes: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const chunk = new Uint8Array(64 * 1024).fill(97);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
  return { status: res.status, body: await res.text() };
}

describe('request body limits hold while the body streams in', () => {
  it.each(ROUTES)('a chunked 50 MB body to %s gets 413, and the server’s RSS grows by less than 5 MB', async (path, limit) => {
    const auth = { authorization: `Bearer ${token}` };
    const pid = nextServerPid(server.webPid);
    const before = rss(pid);
    const res = await postChunked(`${server.base}${path}`, 50 * 1024 * 1024, auth);
    const after = rss(pid);
    expect(res.status).toBe(413);
    const { error } = JSON.parse(res.body);
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain(`${limit}`);
    expect(after - before).toBeLessThan(5 * 1024 * 1024);
  });
});
