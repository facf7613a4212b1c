// Starts embedded PostgreSQL in the folder given as argv[2], prints "ready <url>",
// then idles until killed. Used to leave an orphaned server behind on purpose.
import { startEmbeddedPostgres } from '../../src/launcher/embedded-postgres';
import { createLogger } from '../../src/logging/logger';

const db = await startEmbeddedPostgres(process.argv[2]!, createLogger({ level: 'silent' }));
console.log(`ready ${db.url}`);
setInterval(() => {}, 60_000);
