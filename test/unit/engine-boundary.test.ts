import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/db/migrate';

/**
 * Payments and admin code talk to the generation engine only through the
 * GenerationScheduler port (src/generation/scheduler.ts), so GENERATION_ENGINE
 * can choose DBOS or Inngest: neither engine's SDK, nor DBOS status strings.
 */
function sources(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.tsx?$/.test(d.name))
    .map((d) => path.relative(PROJECT_ROOT, path.join(d.parentPath, d.name)));
}

describe('the generation engine boundary', () => {
  it('src/payments and src/admin/operations.ts import no engine SDK and compare no DBOS status', () => {
    // reconcile-workflow.ts is the reconciliation's own DBOS binding (a scheduled workflow on the worker), like dbos-workflow.ts.
    const files = [...sources('src/payments').filter((f) => f !== 'src/payments/reconcile-workflow.ts'), 'src/admin/operations.ts'];
    const offenders = files.filter((file) => {
      const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
      return /from '@dbos-inc\/|from 'inngest|generation\/enqueue'|'(ENQUEUED|PENDING|DELAYED|CANCELLED)'/.test(text);
    });
    expect(files.length).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});
