// Next.js calls register() once per server instance, before it serves requests.
export async function register() {
  // The boot check is Node-only (process.exit, pino); the edge runtime gets nothing.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { bootWebApp } = await import('./server/boot');
    bootWebApp();
  }
}
