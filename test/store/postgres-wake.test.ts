/**
 * LISTEN/NOTIFY wake-ups across processes: a transaction that queues work in one store reaches the
 * onWork listeners of another, the listener survives losing its connection, and a worker-only
 * rail that polls only once a minute still runs work submitted through another process at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { EVENTS_CHANNEL, WORK_CHANNEL } from '../../src/store/postgres/wake.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { packetOrder } from '../helpers/work-orders.js';
import { seed, T0, unique } from './fixtures.js';
import { createTestDatabase, whenPostgres, type TestDatabase } from './pg-database.js';

/** Resolves when `check` holds; fails the test after `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

await whenPostgres(() => {
  describe('PostgreSQL work notifications', () => {
    let db: TestDatabase;
    let a: PostgresStore;
    let b: PostgresStore;
    const logged: string[] = [];
    before(async () => {
      db = await createTestDatabase();
      const log = (message: string) => void logged.push(message);
      [a, b] = await Promise.all([PostgresStore.connect(db.url, { log }), PostgresStore.connect(db.url, { log })]);
    });
    after(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await db?.drop();
    });

    test('a transaction that queues work in one store wakes the onWork listeners of another', async () => {
      let wakes = 0;
      const stop = a.onWork(() => wakes++);
      const stop2 = a.onWork(() => wakes++);
      try {
        await a.listening();
        await seed(b, unique('t'), { run_at: T0 });
        await eventually(() => wakes >= 2, 'both listeners woken');
      } finally {
        stop();
        stop2();
      }
    });

    test('events committed through one store reach the onEvents listeners of another; work listeners hear nothing of them', async () => {
      const tenant = unique('t');
      const [row] = await seed(b, tenant, { state: 'leased', run_at: T0 });
      let eventsHeard = 0;
      let workHeard = 0;
      const stopEvents = a.onEvents(() => eventsHeard++);
      const stopWork = a.onWork(() => workHeard++);
      try {
        await a.listening();
        const before = workHeard;
        await b.write((tx) => tx.appendEvents([{ tenant_id: tenant, binding_id: row!.binding_id, type: 'bindrail.tool.progress', time: T0, data: {} }]));
        await eventually(() => eventsHeard >= 1, 'the events listener woken');
        assert.equal(workHeard, before, 'an events-only transaction is not a work wake-up');
        // A transaction that appends nothing sends no events notice.
        const heard = eventsHeard;
        await b.write((tx) => tx.appendEvents([]));
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(eventsHeard, heard);
      } finally {
        stopEvents();
        stopWork();
      }
    });

    test('a store hears its own work from itself, before write() resolves, and passes over its own notices', async () => {
      const tenant = unique('t');
      const [row] = await seed(b, tenant, { state: 'leased', run_at: T0 });
      const progress = { tenant_id: tenant, binding_id: row!.binding_id, type: 'bindrail.tool.progress' as const, time: T0, data: {} };
      let wakes = 0;
      let heard = 0;
      const stopWork = a.onWork(() => wakes++);
      const stopEvents = a.onEvents(() => heard++);
      try {
        await a.listening();
        await seed(a, unique('t'), { run_at: T0 });
        assert.equal(wakes, 1, 'woken before write() resolved, not a round trip later');
        await a.write((tx) => tx.appendEvents([progress]));
        // Notices reach a listener in commit order, whatever their channel: once b's events notice is
        // heard, a's own two came before it.
        await b.write((tx) => tx.appendEvents([progress]));
        await eventually(() => heard >= 1, "b's events notice heard");
        assert.equal(wakes, 1, "a's own work notice is not heard a second time");
        await seed(b, unique('t'), { run_at: T0 });
        await eventually(() => wakes >= 2, "b's work notice heard");
        assert.equal(heard, 1, "a's own events notice is not heard: its streams have those events from the bus");
      } finally {
        stopWork();
        stopEvents();
      }
    });

    test('exactly one NOTIFY per transaction that queues work, none for one that does not', async () => {
      const raw = new pg.Client({ connectionString: db.url });
      await raw.connect();
      const seen: { payload: string | undefined; pid: number }[] = [];
      raw.on('notification', (n) => seen.push({ payload: n.payload, pid: n.processId }));
      try {
        await raw.query(`LISTEN ${WORK_CHANNEL}`);
        const sentinel = async (tag: string) => {
          await raw.query(`SELECT pg_notify($1, $2)`, [WORK_CHANNEL, tag]);
          // Notifications arrive in commit order: once the sentinel is here, everything before it is too.
          await eventually(() => seen.some((n) => n.payload === tag), `sentinel ${tag}`);
          const before = seen.splice(0, seen.findIndex((n) => n.payload === tag) + 1);
          return before.slice(0, -1);
        };
        await b.write((tx) => tx.setSwitch('paused_tools', '[]', T0));
        await seed(b, unique('t'), { state: 'leased' });
        assert.deepEqual(await sentinel('s1'), [], 'nothing runnable, nothing sent');

        await seed(b, unique('t'), { run_at: T0 }, { run_at: T0 }, { run_at: T0 });
        assert.equal((await sentinel('s2')).length, 1, 'three queued bindings, one NOTIFY');

        const [retrying] = await seed(b, unique('t'), { state: 'retry_wait', next_retry_at: T0 });
        assert.deepEqual(await sentinel('s3'), []);
        await b.write((tx) => tx.updateBinding(retrying!.binding_id, { state: 'queued', run_at: T0, next_retry_at: null, updated_at: T0 }));
        assert.equal((await sentinel('s4')).length, 1, 'a requeued retry is runnable work');

        await assert.rejects(
          b.write(async (tx) => {
            await tx.updateBinding(retrying!.binding_id, { state: 'queued', updated_at: T0 });
            throw new Error('rolled back');
          }),
        );
        assert.deepEqual(await sentinel('s5'), [], 'a rolled-back transaction notifies no one');
      } finally {
        await raw.end();
      }
    });

    test('the listener reconnects after losing its connection and wakes once for what it may have missed', async () => {
      let wakes = 0;
      const stop = a.onWork(() => wakes++);
      try {
        await a.listening();
        const admin = new pg.Client({ connectionString: db.url });
        await admin.connect();
        try {
          const { rows } = await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()`,
            [`LISTEN ${WORK_CHANNEL}; LISTEN ${EVENTS_CHANNEL}`],
          );
          assert.equal(rows.length, 1, 'one listening connection for all callbacks');
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        } finally {
          await admin.end();
        }
        await eventually(() => wakes >= 1, 'a wake-up after reconnecting');
        assert.ok(logged.some((m) => m.includes('work listener lost its connection')), logged.join('\n'));
        await a.listening();
        const before = wakes;
        await seed(b, unique('t'), { run_at: T0 });
        await eventually(() => wakes > before, 'a wake-up through the new connection');
      } finally {
        stop();
      }
    });

    test('the last unsubscribe closes the listening connection', async () => {
      const stop = a.onWork(() => undefined);
      await a.listening();
      stop();
      await eventually(async () => {
        const { rows } = await a.pool.query('SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = $1', [`LISTEN ${WORK_CHANNEL}; LISTEN ${EVENTS_CHANNEL}`]);
        return rows.length === 0;
      }, 'no LISTEN connection left');
    });
  });

  describe('PostgreSQL: work submitted to one process runs at once in another', () => {
    let db: TestDatabase;
    let api: TestRail;
    let worker: TestRail;
    before(async () => {
      db = await createTestDatabase();
      // The worker polls once a minute: only the NOTIFY can make it run the work within the test.
      api = await startTestRail({ store: db.url, role: 'api' });
      worker = await startTestRail({ store: db.url, role: 'worker', 'poll-ms': '60000', port: '0' }).catch(async (err) => {
        await api.close();
        throw err;
      });
    });
    after(async () => {
      await worker?.close();
      await api?.close();
      await db?.drop();
    });

    test('an api-only process accepts, a worker-only process runs it, woken by NOTIFY', async () => {
      // Give the worker's first (empty) claim time to happen, so it is asleep when the work arrives.
      await new Promise((r) => setTimeout(r, 300));
      const r = await api.api('POST', '/v1/work-orders', packetOrder(1));
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const result = await waitForResult(api, r.body.binding_id, 20_000);
      assert.equal(result.status, 'succeeded');
    });
  });
});
