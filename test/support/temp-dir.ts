import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, inject } from 'vitest';
import { tempDirPrefix } from './database-url';

const created: string[] = [];

// Registered when a test file imports this module (hooks registered inside a
// beforeAll are ignored), so it runs whatever the file's own hooks do or throw.
// A folder a killed process still writes to is swept by the global teardown.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh folder under the system temp dir, named `songswipe-<runId>-<kind>-XXXXXX`,
 * removed after this test file (and by the run's global teardown if the file dies).
 */
export function tempDir(kind: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `${tempDirPrefix(inject('runId'))}${kind}-`));
  created.push(dir);
  return dir;
}
