// Runs a command as a child and ends it when the launcher that started us
// dies, even by SIGKILL, so `next start`/`next dev` are never left holding the
// port. Usage: node scripts/supervise.mjs <command> [args…]
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/supervise.mjs <command> [args…]');
  process.exit(2);
}
const launcher = process.ppid;
// The web app drains on SIGTERM itself (src/server/web-drain.ts: /api/ready
// answers 503 for WEB_DRAIN_MS, then it exits); without this, `next start`
// closes its server at the first SIGTERM.
const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: 'true' } });
// Its drain, plus time to exit (the env schema's default is 10 s).
const graceMs = Number(process.env.WEB_DRAIN_MS || 10_000) + 5000;
let ending = false;
const end = (signal) => {
  if (ending) return;
  ending = true;
  child.kill(signal);
  setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => end(signal));
setInterval(() => {
  if (process.ppid !== launcher) end('SIGTERM');
}, 1000).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
