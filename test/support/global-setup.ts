import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/launcher/embedded-postgres';
import { migrate, PROJECT_ROOT } from '../../src/db/migrate';
import { connectClient } from '../../src/db/pool';
import { createLogger } from '../../src/logging/logger';
import { findChromium } from './chromium';
import { databaseUrl, tempDirPrefix, testDatabasePrefix } from './database-url';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A privileged connection string to the server's maintenance database. */
    adminUrl: string;
    /** A database migrated once per run (Supabase CLI), cloned for every test file. */
    templateDb: string;
    /** Unique per `npm test` run (names the shared production-build lock). */
    runId: string;
  }
}

/**
 * Runs once per `npm test`: picks the server (DATABASE_URL, else embedded
 * PostgreSQL 17 under .data/test), and migrates a template database with the
 * real tooling. Each test file then clones it (CREATE DATABASE … TEMPLATE),
 * which is fast and gives every file a fresh database.
 */
export default async function setup(project: TestProject) {
  const log = createLogger({ level: 'warn' });
  // test/e2e/browser skips itself without a Chromium; this is its one line saying so
  if (!findChromium()) process.stdout.write('browser tests skipped: no Chromium\n');
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres(path.join(PROJECT_ROOT, '.data', 'test'), log);
    adminUrl = embedded.adminUrl;
    stop = embedded.stop;
  }
  const templateDb = `songswipe_tmpl_${process.pid}_${Date.now()}`;
  const admin = await connectClient({ connectionString: adminUrl });
  await admin.query(`create database ${templateDb}`);
  await admin.end();
  await migrate(databaseUrl(adminUrl, templateDb), log);

  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);
  const runId = `${process.pid}x${Date.now()}`;
  project.provide('runId', runId);

  return async () => {
    for (const suffix of ['lock', 'done', 'failed']) rmSync(path.join(PROJECT_ROOT, '.data', `build-${runId}.${suffix}`), { force: true });
    // temp folders of this run that a killed process or a failed hook left behind
    for (const name of readdirSync(tmpdir())) {
      if (name.startsWith(tempDirPrefix(runId))) rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
    }
    const c = await connectClient({ connectionString: adminUrl });
    await c.query(`drop database if exists ${templateDb} with (force)`);
    // anything a test file left behind (killed fork, failed hook)
    const { rows } = await c.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [testDatabasePrefix(runId)]);
    for (const { datname } of rows) await c.query(`drop database if exists "${datname}" with (force)`);
    await c.end();
    await stop();
  };
}
