/**
 * Result events as JSON pages and as Server-Sent Events, read over real fetch streams: every
 * event in order, exactly as stored, and a reconnect with Last-Event-ID that misses none and
 * repeats none — on SQLite and on PostgreSQL. Live events committed in the stream's own process
 * reach it from the in-process bus, without a read of the store per commit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoreReader } from '../../src/store/store.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { openSse, type SseMessage, type SseStream } from '../helpers/sse-reader.js';
import { registryWithTestkit, testOrder } from '../helpers/test-tools.js';
import { packetOrder } from '../helpers/work-orders.js';
import { createTestDatabase, whenPostgres, type TestDatabase } from '../store/pg-database.js';

let rail: TestRail;
before(async () => {
  rail = await startTestRail({}, { registry: registryWithTestkit() });
});
after(() => rail.close());

const parse = (m: SseMessage) => JSON.parse(m.data) as { id: string; type: string; subject: string; seq: number };

/** Reads messages until `done` says so. */
async function readUntil(stream: SseStream, done: (e: ReturnType<typeof parse>, all: SseMessage[]) => boolean): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for (;;) {
    const m = await stream.next();
    out.push(m);
    if (done(parse(m), out)) return out;
  }
}

/** The stream tests, against the rail `get` answers (a store of each kind). */
function streamSuite(get: () => TestRail): void {
  const allEventsOf = async (id: string) => (await get().api('GET', `/v1/bindings/${id}/events?limit=500`)).body.data as any[];

  test('a client connected before submit receives every event of each binding, in order', async () => {
    const stream = await openSse(`${get().url}/v1/events`, { key: get().adminKey });
    try {
      assert.equal(stream.status, 200);
      assert.match(stream.contentType ?? '', /^text\/event-stream/);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await get().api('POST', '/v1/work-orders', packetOrder(7000 + i))).body.binding_id);
      ids.push((await get().api('POST', '/v1/work-orders', testOrder('slow', { value: 'sse', ms: 300 }))).body.binding_id);
      const ready = new Set<string>();
      const messages = await readUntil(stream, (e) => {
        if (e.type === 'bindrail.result.ready') ready.add(e.subject);
        return ids.every((id) => ready.has(id));
      });
      // The stream's ids are the tenant cursor: strictly increasing.
      const cursors = messages.map((m) => Number(m.id));
      assert.ok(cursors.every((c, i) => i === 0 || c > cursors[i - 1]!), 'cursors increase');
      for (const id of ids) {
        const streamed = messages.map(parse).filter((e) => e.subject === id).map((e) => e.id);
        const stored = await allEventsOf(id);
        // The same events as stored, in the same order, with none skipped, through result.ready.
        assert.deepEqual(streamed, stored.slice(0, streamed.length).map((e) => e.id), `events of ${id} in order`);
        assert.ok(streamed.length >= stored.findIndex((e) => e.type === 'bindrail.result.ready') + 1, `all of ${id}'s events through result.ready`);
      }
    } finally {
      stream.close();
    }
  });
  
    test('the binding stream replays stored events, then live ones; ids are the per-binding seq', async () => {
    const id = (await get().api('POST', '/v1/work-orders', testOrder('slow', { value: 'live', ms: 400 }))).body.binding_id;
    const stream = await openSse(`${get().url}/v1/bindings/${id}/events`, { key: get().adminKey });
    try {
      const messages = await readUntil(stream, (e) => e.type === 'bindrail.result.ready');
      const seqs = messages.map((m) => Number(m.id));
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'seq 1, 2, 3… without gaps');
      assert.deepEqual(messages.map((m) => parse(m).seq), seqs);
      assert.ok(messages.some((m) => parse(m).type === 'bindrail.tool.progress'), 'progress events arrived live');
      assert.deepEqual(messages.map((m) => parse(m).id), (await allEventsOf(id)).slice(0, messages.length).map((e) => e.id));
    } finally {
      stream.close();
    }
  });
  
    test('a reconnect with Last-Event-ID misses none and repeats none (binding and tenant streams)', async () => {
    const startCursor = Number((await get().api('GET', '/v1/events?limit=500')).body.next_cursor ?? 0);
    const id = (await get().api('POST', '/v1/work-orders', testOrder('slow', { value: 'resume', ms: 700 }))).body.binding_id;
  
    // Binding stream: read three, drop the connection, come back while more events are written.
    const first = await openSse(`${get().url}/v1/bindings/${id}/events`, { key: get().adminKey });
    const head = [await first.next(), await first.next(), await first.next()];
    first.close();
    await new Promise((r) => setTimeout(r, 250));
    const second = await openSse(`${get().url}/v1/bindings/${id}/events`, { key: get().adminKey, lastEventId: head.at(-1)!.id });
    const tail = await readUntil(second, (e) => e.type === 'bindrail.result.ready');
    second.close();
    const seen = [...head, ...tail].map((m) => parse(m).id);
    assert.equal(new Set(seen).size, seen.length, 'no event twice');
    assert.deepEqual(seen, (await allEventsOf(id)).slice(0, seen.length).map((e) => e.id), 'none missed, in order');
    assert.ok(tail.length > 0 && head.length === 3);
  
    // Tenant stream: resume from ?after= (the first connect) and then from Last-Event-ID.
    const t1 = await openSse(`${get().url}/v1/events?after=${startCursor}`, { key: get().adminKey });
    const part1 = [await t1.next(), await t1.next()];
    t1.close();
    const t2 = await openSse(`${get().url}/v1/events?after=${startCursor}`, { key: get().adminKey, lastEventId: part1.at(-1)!.id });
    const part2 = await readUntil(t2, (e) => e.subject === id && e.type === 'bindrail.result.ready');
    t2.close();
    const tenantSeen = [...part1, ...part2].map((m) => parse(m).id);
    const stored = (await get().api('GET', `/v1/events?after=${startCursor}&limit=500`)).body.data.map((e: any) => e.id);
    assert.deepEqual(tenantSeen, stored.slice(0, tenantSeen.length));
  });

  test('live events of this process reach a binding stream from the bus, exactly as stored, without a read per commit', async () => {
    const r = get();
    const store = r.runtime.store as StoreReader;
    // 600 ms of work with a heartbeat (and a progress event) every 100 ms: several commits.
    const id = (await r.api('POST', '/v1/work-orders', testOrder('slow', { value: 'bus', ms: 600 }))).body.binding_id;
    const reads = { n: 0 };
    const commits = { n: 0 };
    const listEvents = store.listEvents;
    store.listEvents = (...args) => {
      if (args[1].bindingId === id) reads.n++;
      return listEvents.apply(store, args);
    };
    const bus = r.runtime.rail.ctx.bus;
    const countCommits = (rows: { binding_id: string }[]) => {
      if (rows.some((e) => e.binding_id === id)) commits.n++;
    };
    bus.on('events', countCommits);
    try {
      const stream = await openSse(`${r.url}/v1/bindings/${id}/events`, { key: r.adminKey });
      try {
        const messages = await readUntil(stream, (e) => e.type === 'bindrail.result.ready');
        // Every event as stored, whole: what the bus carried is what the store holds.
        assert.deepEqual(messages.map((m) => JSON.parse(m.data)), (await allEventsOf(id)).slice(0, messages.length));
        // A stream that read the store for every commit would read at least once per commit (plus
        // the read at connect). From the bus, only the connect, a poll, and a commit that lands
        // while the stream is still writing the one before cost a read.
        assert.ok(commits.n >= 4, `${commits.n} commits carried the binding's events`);
        assert.ok(reads.n < commits.n, `${reads.n} reads of the store for ${commits.n} commits`);
      } finally {
        stream.close();
      }
    } finally {
      bus.off('events', countCommits);
      store.listEvents = listEvents;
    }
  });
}

streamSuite(() => rail);

const allEventsOf = async (id: string) => (await rail.api('GET', `/v1/bindings/${id}/events?limit=500`)).body.data as any[];

test('GET /v1/events pages with after= and next_cursor; a bad Last-Event-ID is a problem', async () => {
  const id = (await rail.api('POST', '/v1/work-orders', packetOrder(7100))).body.binding_id;
  await waitForResult(rail, id);
  const pages: any[] = [];
  let cursor = 0;
  for (;;) {
    const page = (await rail.api('GET', `/v1/events?after=${cursor}&limit=7`)).body;
    pages.push(...page.data);
    if (page.data.length === 0) {
      assert.equal(page.next_cursor, null);
      break;
    }
    cursor = Number(page.next_cursor);
  }
  assert.equal(new Set(pages.map((e) => e.id)).size, pages.length);
  const mine = pages.filter((e) => e.subject === id).map((e) => e.id);
  assert.deepEqual(mine, (await allEventsOf(id)).map((e) => e.id));

  const bad = await rail.api('GET', '/v1/events', undefined, { headers: { accept: 'text/event-stream', 'last-event-id': 'abc' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].pointer, '/headers/last-event-id');
  assert.equal((await rail.api('GET', '/v1/events', undefined, { key: null, headers: { accept: 'text/event-stream' } })).status, 401);
});

test('closing the server ends open streams', async () => {
  const r = await startTestRail();
  const stream = await openSse(`${r.url}/v1/events`, { key: r.adminKey });
  await r.close();
  await assert.rejects(stream.next(5_000), /ended|terminated|aborted/);
});

await whenPostgres(() => {
  describe('on PostgreSQL', () => {
    let db: TestDatabase;
    let pgRail: TestRail;
    before(async () => {
      db = await createTestDatabase();
      pgRail = await startTestRail({ store: db.url }, { registry: registryWithTestkit() });
    });
    after(async () => {
      await pgRail?.close();
      await db?.drop();
    });
    streamSuite(() => pgRail);
  });
});
