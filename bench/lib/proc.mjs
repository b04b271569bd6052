/**
 * What a process costs, read from /proc: CPU seconds (user + system) and peak resident memory
 * (VmHWM). Read from outside, so the same figure is taken for every system, whatever its language
 * or library, and for database server processes that the harness did not start.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds the process has used so far, or undefined when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // proc(5): fields after "(comm)"; utime and stime are fields 14 and 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined; // the process exited between listing and reading: documented boundary
  }
}

function statusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set size in MiB (VmHWM: the high-water mark since the process started). */
export const peakRssMb = (pid) => (statusKb(pid, 'VmHWM') ?? 0) / 1024;
export const rssMb = (pid) => (statusKb(pid, 'VmRSS') ?? 0) / 1024;

/** CPU seconds per pid now. */
export function cpuSnapshot(pids) {
  return new Map(pids.map((pid) => [pid, cpuSeconds(pid) ?? 0]));
}

/**
 * CPU seconds used between two snapshots. A pid only in `after` (a connection opened during the
 * run) counts from zero; a pid only in `before` (it exited) is lost, so callers keep connections
 * open until the second snapshot.
 */
export function cpuBetween(before, after) {
  let total = 0;
  for (const [pid, end] of after) total += Math.max(0, end - (before.get(pid) ?? 0));
  return total;
}
