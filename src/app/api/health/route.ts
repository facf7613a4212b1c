import { env } from '@/config/env';
import { withRoute } from '@/server/route';

/**
 * Liveness: `{ok: true, mode: 'local' | 'deployment'}`, without touching the
 * database (also the benchmark's no-op baseline). The env was parsed at boot.
 */
export const GET = withRoute({ route: 'health' }, () => ({ ok: true, mode: env().mode }));
