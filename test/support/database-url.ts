/** `url` with its database name replaced by `name`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Database names of one test run start with this; the global teardown drops them all. */
export function testDatabasePrefix(runId: string): string {
  return `songswipe_t_${runId.replace(/[^0-9a-z]/gi, '')}_`;
}

/** Temp folders of one test run start with this; the global teardown removes them all. */
export function tempDirPrefix(runId: string): string {
  return `songswipe-${runId}-`;
}
