import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../db/migrate';

export type Mode = 'dev' | 'start';

const bin = (name: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);

/** Command lines of the two processes, per mode. */
export function serviceCommands(mode: Mode, port: number): { web: string[]; worker: string[] } {
  return {
    web: [process.execPath, path.join(PROJECT_ROOT, 'scripts', 'supervise.mjs'), bin('next'), mode, '--port', String(port)],
    // `node --import tsx` rather than the tsx CLI: one process, so signals (and a
    // SIGKILL in tests) reach the worker itself, not a wrapper.
    worker: mode === 'dev' ? [process.execPath, '--import', 'tsx', 'src/worker-main.ts'] : [process.execPath, 'dist/worker.mjs'],
  };
}

/**
 * Spawns one service with `env`, prefixing nothing: each child writes its own
 * JSON log lines to our stdout/stderr (or to `onOutput` when given).
 */
export function spawnService(name: string, argv: string[], env: NodeJS.ProcessEnv, onOutput?: (line: string) => void): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: PROJECT_ROOT,
    env: { ...env, SONGSWIPE_SERVICE: name, SONGSWIPE_LAUNCHER_PID: String(process.pid) },
    stdio: onOutput ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  if (onOutput) {
    let buffered = '';
    const feed = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onOutput(line);
    };
    child.stdout?.on('data', feed);
    child.stderr?.on('data', feed);
  }
  return child;
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopService(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers (any HTTP status) or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`server exited before answering ${url}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(5000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
}
