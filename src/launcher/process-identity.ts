import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

/**
 * What the OS says about one live process. A pid alone names a process only
 * until it exits: the kernel hands the number to the next process it starts,
 * and after a reboot or a container restart a pid written to a file before it
 * very likely names something unrelated. These facts tell the processes apart.
 */
export interface ProcessFacts {
  /** Its command line, one element per argument (`ps` elsewhere than Linux: split on spaces). */
  argv: string[];
  /** Its working directory, when the OS lets us read it (Linux, same user or root). */
  cwd?: string;
  /**
   * When it started, as an opaque string that differs between two processes that
   * share a pid: Linux boot id plus start time in clock ticks since boot.
   */
  startId: string;
}

function linuxFacts(pid: number): ProcessFacts | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // no such process
  }
  // proc(5): field 2 is "(comm)" and may hold spaces or parentheses; field 22 is starttime.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z') return undefined; // a zombie has exited; only its parent has not reaped it
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  let argv: string[] = [];
  let cwd: string | undefined;
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    // another user's process: cwd is not ours to read; argv may still be set
  }
  return { argv, cwd, startId: `${bootId}:${fields[19]}` };
}

function psFacts(pid: number): ProcessFacts | undefined {
  try {
    // lstart is a fixed 24-character date ("Mon Nov 30 16:00:00 2026").
    const out = execFileSync('ps', ['-o', 'lstart=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return out ? { startId: out.slice(0, 24), argv: out.slice(24).trim().split(' ') } : undefined;
  } catch {
    return undefined; // ps exits 1 when there is no such process
  }
}

/** Facts about process `pid`, or undefined when no such process is running. */
export function processFacts(pid: number): ProcessFacts | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return process.platform === 'linux' ? linuxFacts(pid) : psFacts(pid);
}

/** A record of this very process that `isSameProcess` can check later, from another process. */
export function currentProcess(): { pid: number; startId: string } {
  return { pid: process.pid, startId: processFacts(process.pid)!.startId };
}

/** Whether `pid` still names the process recorded as `{ pid, startId }`, not a later one that reuses the number. */
export function isSameProcess(recorded: { pid: number; startId?: string }): boolean {
  return recorded.startId !== undefined && processFacts(recorded.pid)?.startId === recorded.startId;
}
