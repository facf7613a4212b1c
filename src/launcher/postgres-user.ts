import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

/** uid/gid of the `postgres` system user, or undefined before it exists. */
function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL runs as the `postgres` system user (it refuses root), so that user
 * must be able to walk down to both the binaries in node_modules and the data
 * dir. A project cloned under a private folder (/root, a `mktemp -d`) blocks
 * it. As root, grant search-only permission (o+x: enter, not list) on each
 * blocking ancestor, and say so.
 */
export function letPostgresReach(dirs: string[], log: Logger): void {
  if (process.getuid?.() !== 0) return; // not root: the server runs as us
  const ids = postgresIds();
  const changed: string[] = [];
  for (const dir of dirs) {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      if (existsSync(d)) {
        const st = statSync(d);
        const searchable = st.mode & 0o001 || (ids && st.gid === ids.gid && st.mode & 0o010) || (ids && st.uid === ids.uid && st.mode & 0o100);
        if (!searchable) {
          chmodSync(d, (st.mode & 0o7777) | 0o001);
          changed.push(d);
        }
      }
      if (d === path.dirname(d)) break;
    }
  }
  if (changed.length) {
    log.warn(
      { folders: changed },
      'gave the postgres user search permission (o+x) on private folders it must reach (the project, its data dir, the temp dir), so embedded PostgreSQL can run',
    );
  }
}
