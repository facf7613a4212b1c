import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseUrlProblems } from '../../src/config/database-url';
import { parseEnv } from '../../src/config/env';
import { tempDir } from '../support/temp-dir';

const base = { SONGSWIPE_LOCAL_MODE: '1', STRIPE_WEBHOOK_SECRET: 'whsec_a', SUPABASE_JWT_SECRET: 'x'.repeat(32), STORAGE_SIGNING_SECRET: 'y'.repeat(32) };
const caFile = path.join(tempDir('ca'), 'prod-ca-2021.crt');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n');
const POOLER = 'postgres://postgres.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com';

/** The TLS options node-postgres itself derives from a connection string (pg-connection-string). */
function pgSsl(url: string): unknown {
  return (new pg.Client({ connectionString: url }) as unknown as { connectionParameters: { ssl: unknown } }).connectionParameters.ssl;
}

describe('DATABASE_URL checks at boot', () => {
  it('refuses the transaction pooler (port 6543) with a message naming DATABASE_URL and why', () => {
    expect(() => parseEnv({ ...base, DATABASE_URL: `${POOLER}:6543/postgres?sslmode=verify-full&sslrootcert=${caFile}` })).toThrow(
      /DATABASE_URL: port 6543 is Supabase's transaction pooler, which breaks the session advisory locks and LISTEN\/NOTIFY/,
    );
    expect(databaseUrlProblems(`postgres://postgres@db.internal:6543/postgres`)).toHaveLength(1);
  });

  it('accepts the session pooler (5432) with sslmode=verify-full and the project CA file; node-postgres then verifies against that CA', () => {
    const url = `${POOLER}:5432/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`;
    expect(databaseUrlProblems(url)).toEqual([]);
    expect(parseEnv({ ...base, DATABASE_URL: url }).DATABASE_URL).toBe(url);
    const ssl = pgSsl(url) as { ca?: string; rejectUnauthorized?: boolean };
    expect(ssl.ca).toContain('BEGIN CERTIFICATE');
    expect(ssl.rejectUnauthorized).not.toBe(false);
  });

  it('refuses sslmode=require on Supabase: node-postgres verifies it against the system CAs only, which fails on Supabase’s chain', () => {
    const url = `${POOLER}:5432/postgres?sslmode=require`;
    const ssl = pgSsl(url) as { ca?: string; rejectUnauthorized?: boolean };
    expect(ssl.ca).toBeUndefined();
    expect(ssl.rejectUnauthorized).not.toBe(false);
    expect(() => parseEnv({ ...base, DATABASE_URL: url })).toThrow(/DATABASE_URL: a Supabase database needs sslmode=verify-full&sslrootcert=/);
    expect(databaseUrlProblems(`postgres://postgres:pw@db.abcdefghijklmnopqrst.supabase.co:5432/postgres`)).toHaveLength(1);
  });

  it('names a CA file that does not exist', () => {
    expect(databaseUrlProblems(`${POOLER}:5432/postgres?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt`)).toEqual([
      'sslrootcert file /nonexistent/ca.crt does not exist',
    ]);
  });

  it('leaves local and other servers alone', () => {
    expect(databaseUrlProblems('postgres://postgres@127.0.0.1:5432/postgres')).toEqual([]);
    expect(databaseUrlProblems('postgres://u:p@db.example.com:5432/app?sslmode=verify-full')).toEqual([]);
  });
});
