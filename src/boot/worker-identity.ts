/**
 * A worker's stable identity across restarts: `<host>/<id kept in the data dir>`. It lets a
 * restarted worker fail the attempts it held when it died at once, instead of waiting out
 * their leases. Two live processes on one data dir must not share it, or one would fail the
 * other's running work: the second gets a one-off identity and recovers nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function workerIdentity(dataDir: string): { owner: string; recoverOrphans: boolean } {
  mkdirSync(dataDir, { recursive: true });
  const idPath = join(dataDir, 'worker-id');
  const pidPath = join(dataDir, 'worker.pid');
  if (!existsSync(idPath)) writeFileSync(idPath, randomBytes(8).toString('hex'));
  const id = readFileSync(idPath, 'utf8').trim();
  const holder = existsSync(pidPath) ? Number(readFileSync(pidPath, 'utf8')) : NaN;
  if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
    return { owner: `${hostname()}/${id}-${randomBytes(4).toString('hex')}`, recoverOrphans: false };
  }
  writeFileSync(pidPath, String(process.pid));
  return { owner: `${hostname()}/${id}`, recoverOrphans: true };
}
