import type { Queryable } from './pool';

/** Pending workflows of one application version on one executor, per workflow name and DBOS status. */
export interface PendingWorkflows {
  applicationVersion: string;
  /** The executor that runs (PENDING) or dequeued them; null while ENQUEUED and not yet claimed. */
  executorId: string | null;
  workflowName: string;
  status: string;
  count: number;
  /** Oldest `created_at` among them. */
  oldest: Date;
}

/**
 * Workflows not finished yet (ENQUEUED, PENDING, DELAYED), grouped by
 * application version, executor, name and status, from `dbos.workflow_status`.
 * DBOS recovers a PENDING workflow only in a process of the same application
 * version and executor id, so this is what a deploy must leave running.
 */
export async function selectPendingByVersion(db: Queryable): Promise<PendingWorkflows[]> {
  const { rows } = await db.query<PendingWorkflows>(
    `select coalesce(application_version, '') as "applicationVersion",
            case when status = 'ENQUEUED' then null else executor_id end as "executorId",
            name as "workflowName", status, count(*)::int as count,
            to_timestamp(min(created_at) / 1000.0) as oldest
     from dbos.workflow_status
     where status in ('ENQUEUED', 'PENDING', 'DELAYED')
     group by 1, 2, 3, 4
     order by 1, 2 nulls first, 3, 4`,
  );
  return rows;
}

/** The application versions the workers announced (`dbos.application_versions`), latest first. */
export async function selectApplicationVersions(db: Queryable): Promise<{ versionName: string; versionTimestamp: Date }[]> {
  const { rows } = await db.query<{ versionName: string; versionTimestamp: Date }>(
    `select version_name as "versionName", to_timestamp(version_timestamp / 1000.0) as "versionTimestamp"
     from dbos.application_versions order by version_timestamp desc`,
  );
  return rows;
}

/** Text lines for `npm run admin -- versions`: one block per version, one line per executor, name and status. */
export function formatPendingByVersion(rows: readonly PendingWorkflows[], versions: readonly { versionName: string }[] = []): string[] {
  const lines: string[] = [];
  if (versions.length) lines.push(`application versions (latest first): ${versions.map((v) => v.versionName).join(', ')}`);
  if (!rows.length) return [...lines, 'no pending workflows'];
  let version: string | undefined;
  for (const r of rows) {
    if (r.applicationVersion !== version) {
      version = r.applicationVersion;
      const total = rows.filter((x) => x.applicationVersion === version).reduce((n, x) => n + x.count, 0);
      lines.push(`${version || '(no version)'}: ${total} pending`);
    }
    lines.push(
      `  ${(r.executorId ?? '(queued)').padEnd(28)} ${r.workflowName.padEnd(20)} ${r.status.padEnd(9)} ${String(r.count).padStart(5)}  oldest ${r.oldest.toISOString()}`,
    );
  }
  return lines;
}
