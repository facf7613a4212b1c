import type { Logger } from 'pino';

/**
 * The web process's drain state. Kept on `globalThis` because Next.js bundles
 * src/instrumentation.ts and each route separately: a module-level variable
 * would be a different one in each bundle.
 */
const state = globalThis as { songswipeWebDrainingSince?: number };

/** True once SIGTERM arrived: `/api/ready` answers 503 so the load balancer sends no new traffic here. */
export function webDraining(): boolean {
  return state.songswipeWebDrainingSince !== undefined;
}

/**
 * On SIGTERM, the web process keeps serving for `drainMs` (WEB_DRAIN_MS) while
 * `/api/ready` answers 503, so a load balancer probing it takes it out of
 * rotation before it stops listening (Kubernetes: the endpoint is removed
 * asynchronously, and requests keep arriving for a few probe periods after
 * SIGTERM). Then the process exits 0. Requests under way by then finish: ours
 * take milliseconds, and nothing new is routed here after the first failed probe.
 * Needs `NEXT_MANUAL_SIG_HANDLE=true` (the launcher sets it), or Next.js closes
 * its server at the first SIGTERM. SIGINT (Ctrl-C in development) still ends at once.
 */
export function drainOnSigterm(drainMs: number, log: Logger): void {
  process.once('SIGTERM', () => {
    state.songswipeWebDrainingSince = Date.now();
    log.info({ drainMs }, 'SIGTERM: draining; /api/ready answers 503 until this process exits');
    setTimeout(() => {
      log.info('drained; web process exiting');
      process.exit(0);
    }, drainMs);
  });
}
