/** WalSync: writers are answered only after an fdatasync that began after their COMMIT; one sync serves many commits. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { WalSync } from '../../src/store/sqlite/wal-sync.js';

const dir = mkdtempSync(join(tmpdir(), 'bindrail-walsync-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('one sync answers every commit made before it began', async () => {
  const path = join(dir, 'a.db');
  writeFileSync(`${path}-wal`, 'frames');
  const sync = new WalSync(path);
  const commits = Array.from({ length: 100 }, () => sync.committed());
  await Promise.all(commits.map((c) => sync.durable(c)));
  assert.equal(sync.syncs, 1);
  // Already durable: answered without another sync.
  await sync.durable(50);
  assert.equal(sync.syncs, 1);
  sync.close();
});

test('a commit made while a sync runs waits for the next one', async () => {
  const path = join(dir, 'b.db');
  writeFileSync(`${path}-wal`, 'frames');
  const sync = new WalSync(path);
  const order: string[] = [];
  const first = sync.durable(sync.committed()).then(() => order.push(`first after ${sync.syncs} sync(s)`));
  const second = sync.durable(sync.committed()).then(() => order.push(`second after ${sync.syncs} sync(s)`));
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first after 1 sync(s)', 'second after 2 sync(s)']);
  sync.close();
});

test('after a failed sync nothing more is promised: waiting and later writers are refused', async () => {
  // fdatasync on a FIFO fails (EINVAL): a real failing sync, no stub.
  const path = join(dir, 'c.db');
  execFileSync('mkfifo', [`${path}-wal`]);
  const sync = new WalSync(path);
  await assert.rejects(sync.durable(sync.committed()), /fdatasync of the SQLite WAL failed/);
  await assert.rejects(sync.durable(sync.committed()), /fdatasync of the SQLite WAL failed/);
  sync.close();
});

test('the store answers writes after their commit is synced, and groups commits per sync', async () => {
  const store = new SqliteStore(join(dir, 'rail.db'));
  try {
    assert.equal(store.database.pragma('synchronous', { simple: true }), 1, 'NORMAL: COMMIT itself does not sync; WalSync does');
    const n = 200;
    await Promise.all(Array.from({ length: n }, (_, i) => store.write((tx) => tx.setSwitch(`s${i}`, 'x', i))));
    assert.equal(await store.getSwitch('s199'), 'x');
    assert.ok(store.stats.syncs >= 1 && store.stats.syncs <= store.stats.commits, JSON.stringify(store.stats));
    assert.ok(store.stats.commits < n, `group commit: ${store.stats.commits} commits for ${n} writes`);
  } finally {
    await store.close();
  }
});
