/** PostgreSQL: result events, numbered per binding and globally in commit order. */
import { newId } from '../../rail/ids.js';
import type { EventDraft, EventRow } from '../types.js';
import { eventFromRow, jsonParam } from './codec.js';
import { EVENTS_LOCK } from './locks.js';
import { rows, type Sql } from './open.js';
import { cteRows } from './write-behind.js';

/** What the transaction knows of the bindings it holds, and the writes it has queued. */
export interface EventContext {
  /** A held binding's event_seq as this transaction has it; undefined for bindings it does not hold. */
  heldSeq(bindingId: string): number | undefined;
  /** Records a held binding's new event_seq (queued with the transaction's other writes). */
  setHeldSeq(bindingId: string, seq: number): void;
  /** The queued writes as CTEs, their parameters appended to `values`; the queue is emptied. */
  drain(values: unknown[], opts?: { returning?: boolean }): string[];
}

/**
 * Numbers and inserts a batch of events: one statement, plus one UPDATE when some binding is not
 * held by this transaction (its event_seq is bumped and read back under the row lock the UPDATE
 * takes). A held binding's event_seq cannot change under this transaction, so it is counted here.
 *
 * `GET /v1/events?after=<gseq>` only works if gseq grows in commit order: were transaction A to
 * draw gseq 10, transaction B 11, and B commit first, a reader at cursor 11 would never see 10.
 * A bare identity column cannot promise that, so gseq is drawn under an advisory lock held until
 * commit. The cost is that event-writing commits queue behind each other — one lock hand-off per
 * batch, since callers append a whole batch's events at once, at the end of their transaction.
 * The INSERT takes the lock itself (the `lock` CTE is joined to every row, so it is held before the
 * first gseq is drawn), after the per-binding UPDATE, and carries the transaction's queued writes
 * as CTEs: those touch only new rows and rows this transaction already holds, so a transaction that
 * appends its events once, last, waits on nothing but its own INSERT and COMMIT while holding the
 * lock: it cannot close a deadlock cycle. Rolled-back transactions leave gaps in gseq; cursors only
 * need it to grow.
 *
 * The queued writes run BEFORE the lock is taken: the lock's CTE reads their row counts
 * (`written`), and PostgreSQL would otherwise run them after the INSERT, under the lock. They are
 * most of the statement's work (a claim's UPDATE of its bindings, a finalization's results,
 * receipts, attestations and leaves), and every event-writing commit of every process waits while
 * the lock is held. Measured (EXPLAIN ANALYZE, a claim of 256 bindings): the lock was held for
 * all 13 ms of the statement, now for its last 3 ms — the INSERT itself.
 */
export async function appendEvents(sql: Sql, drafts: EventDraft[], tx: EventContext): Promise<EventRow[]> {
  if (drafts.length === 0) return [];
  const counts = new Map<string, number>();
  for (const d of drafts) counts.set(d.binding_id, (counts.get(d.binding_id) ?? 0) + 1);
  // The last seq before this batch, per binding; each draft takes the next one, in draft order.
  const last = new Map<string, number>();
  const others: string[] = [];
  for (const [id, n] of counts) {
    const held = tx.heldSeq(id);
    if (held === undefined) others.push(id);
    else {
      last.set(id, held);
      tx.setHeldSeq(id, held + n);
    }
  }
  if (others.length > 0) {
    others.sort();
    const bumped = await rows<{ binding_id: string; event_seq: number }>(
      sql,
      `UPDATE bindings b SET event_seq = b.event_seq + c.n
         FROM unnest($1::text[], $2::int[]) AS c(binding_id, n)
        WHERE b.binding_id = c.binding_id
        RETURNING b.binding_id, b.event_seq`,
      [others, others.map((id) => counts.get(id)!)],
    );
    for (const r of bumped) last.set(r.binding_id, r.event_seq - counts.get(r.binding_id)!);
  }
  const numbered = drafts.map((d) => {
    const prev = last.get(d.binding_id);
    if (prev === undefined) throw new Error(`cannot append an event to binding ${d.binding_id}: no such binding`);
    last.set(d.binding_id, prev + 1);
    return { ...d, seq: prev + 1, event_id: newId('evt') };
  });

  const values: unknown[] = [
    numbered.map((e) => e.event_id),
    numbered.map((e) => e.tenant_id),
    numbered.map((e) => e.binding_id),
    numbered.map((e) => e.seq),
    numbered.map((e) => e.type),
    numbered.map((e) => e.time),
    numbered.map((e) => jsonParam(e.data)),
    EVENTS_LOCK[0],
    EVENTS_LOCK[1],
  ];
  const queued = tx.drain(values, { returning: true });
  const lock =
    queued.length === 0
      ? 'lock AS MATERIALIZED (SELECT pg_advisory_xact_lock($8, $9))'
      : `written AS MATERIALIZED (SELECT ${cteRows(queued)} AS n), lock AS MATERIALIZED (SELECT pg_advisory_xact_lock($8, $9) FROM written)`;
  const inserted = await rows<{ event_id: string; gseq: number }>(
    sql,
    `WITH ${[...queued, lock].join(', ')}
     INSERT INTO events (event_id, tenant_id, binding_id, seq, type, time, data)
     SELECT u.event_id, u.tenant_id, u.binding_id, u.seq, u.type, u.time, u.data
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[], $7::json[])
            WITH ORDINALITY AS u(event_id, tenant_id, binding_id, seq, type, time, data, ord)
            CROSS JOIN lock
      ORDER BY u.ord
     RETURNING event_id, gseq`,
    values,
  );
  const gseqOf = new Map(inserted.map((r) => [r.event_id, r.gseq]));
  return numbered.map((e) => ({ ...e, gseq: gseqOf.get(e.event_id)! }));
}

/**
 * One binding's events, or all the tenant's, after a cursor. The binding's are read through its own
 * (binding_id, seq) index alone, the tenant checked on the rows found (a binding's events all belong
 * to its tenant, so the LIMIT may come first): given the tenant in the same WHERE, the planner ANDs
 * in a bitmap of the tenant's whole (tenant_id, gseq) index whenever its statistics are stale —
 * measured after 20,000 tasks: 140,000 index entries and 7.6 ms for every read of an event stream,
 * against 0.03 ms.
 */
export async function listEvents(sql: Sql, tenantId: string, opts: { bindingId?: string; after?: number; limit: number }): Promise<EventRow[]> {
  const found = opts.bindingId
    ? await rows(sql, 'SELECT * FROM (SELECT * FROM events WHERE binding_id = $2 AND seq > $3 ORDER BY seq LIMIT $4) e WHERE e.tenant_id = $1 ORDER BY e.seq', [
        tenantId,
        opts.bindingId,
        opts.after ?? 0,
        opts.limit,
      ])
    : await rows(sql, 'SELECT * FROM events WHERE tenant_id = $1 AND gseq > $2 ORDER BY gseq LIMIT $3', [
        tenantId,
        opts.after ?? 0,
        opts.limit,
      ]);
  return found.map(eventFromRow);
}
