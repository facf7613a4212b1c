import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrate';

// A pg.Pool or pg.Client without an `error` listener turns a terminated
// connection (failover, pg_terminate_backend, a dropped test database) into an
// uncaught exception that kills the process. createPool/connectClient in
// src/db/pool.ts attach one; nothing else may construct them.
const ALLOWED = new Set([
  'src/db/pool.ts',
  'test/unit/database-url.test.ts', // builds a client only to read node-postgres' TLS parsing; never connects
]);

function sources(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|tsx|mjs)$/.test(d.name))
    .map((d) => path.relative(PROJECT_ROOT, path.join(d.parentPath, d.name)));
}

describe('database connections', () => {
  it('are only constructed by createPool/connectClient, which attach an error listener', () => {
    const offenders = ['src', 'scripts', 'test', 'bench']
      .flatMap(sources)
      .filter((file) => !ALLOWED.has(file))
      .filter((file) => /new\s+(pg\.)?(Pool|Client)\s*\(/.test(readFileSync(path.join(PROJECT_ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
