/**
 * Durability off the main thread: SQLite commits with synchronous=NORMAL (the WAL is written at
 * COMMIT but not synced), and this syncs the WAL file with fdatasync on libuv's thread pool.
 * A writer is answered only once a sync that began after its COMMIT has finished — the same
 * promise synchronous=FULL gives (a committed write survives power loss) without blocking the
 * event loop on the disk. One sync covers every commit made before it started, so syncs pipeline
 * with the next group's work: while one runs, later commits queue for the next.
 */
import { closeSync, fdatasync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

interface Waiter {
  commit: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class WalSync {
  #fd: number | undefined;
  /** Commits made so far (numbered from 1) and the highest one known durable. */
  #committed = 0;
  #durable = 0;
  #syncing = false;
  #failed: Error | undefined;
  #waiters: Waiter[] = [];
  /** fdatasync calls finished: commits / syncs is how many commits one sync carried. */
  syncs = 0;

  constructor(private readonly dbPath: string) {}

  /** The error of a failed sync, once there has been one: no later commit can be promised. */
  get failure(): Error | undefined {
    return this.#failed;
  }

  /** Numbers a commit that has just returned from COMMIT. */
  committed(): number {
    return ++this.#committed;
  }

  /** Resolves once `commit` is on disk; rejects for good after a failed sync (its outcome is unknown). */
  durable(commit: number): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (commit <= this.#durable) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ commit, resolve, reject });
      this.#kick();
    });
  }

  /** Resolves once every commit made so far is on disk. */
  settled(): Promise<void> {
    return this.durable(this.#committed);
  }

  #kick(): void {
    if (this.#syncing || this.#waiters.length === 0) return;
    const fd = this.#open();
    const target = this.#committed;
    this.#syncing = true;
    fdatasync(fd, (err) => {
      this.#syncing = false;
      this.syncs++;
      if (err) {
        // After a failed fsync the kernel may have dropped the dirty pages: nothing since the
        // last good sync can be promised, now or later (PostgreSQL's "fsyncgate" lesson).
        this.#failed = new Error(`fdatasync of the SQLite WAL failed: ${err.message}`);
        for (const w of this.#waiters.splice(0)) w.reject(this.#failed);
        return;
      }
      this.#durable = target;
      const still: Waiter[] = [];
      for (const w of this.#waiters) {
        if (w.commit <= target) w.resolve();
        else still.push(w);
      }
      this.#waiters = still;
      this.#kick();
    });
  }

  /** The WAL exists once the first transaction has committed; its directory entry is synced once. */
  #open(): number {
    if (this.#fd === undefined) {
      this.#fd = openSync(`${this.dbPath}-wal`, 'r+');
      const dir = openSync(dirname(this.dbPath), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return this.#fd;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
