/** PostgreSQL: result events, numbered per binding and globally in commit order. */
import { newId } from '../../rail/ids.js';
import type { EventDraft, EventRow } from '../types.js';
import { eventFromRow, jsonParam } from './codec.js';
import { EVENTS_LOCK } from './locks.js';
import { rows, type Sql } from './open.js';

/**
 * Set-based: one UPDATE numbers every binding's events, one INSERT writes them all.
 *
 * `GET /v1/events?after=<gseq>` only works if gseq grows in commit order: were transaction A to
 * draw gseq 10, transaction B 11, and B commit first, a reader at cursor 11 would never see 10.
 * A bare identity column cannot promise that, so gseq is drawn under an advisory lock held until
 * commit. The cost is that event-writing commits queue behind each other — one lock hand-off per
 * batch, since callers append a whole batch's events at once, at the end of their transaction.
 * The lock is taken after the per-binding UPDATE, so a transaction that appends its events once,
 * last, waits on nothing but its own INSERT and COMMIT while holding it: the lock cannot close a
 * deadlock cycle. Rolled-back transactions leave gaps in gseq; cursors only need it to grow.
 */
export async function appendEvents(sql: Sql, drafts: EventDraft[]): Promise<EventRow[]> {
  if (drafts.length === 0) return [];
  const counts = new Map<string, number>();
  for (const d of drafts) counts.set(d.binding_id, (counts.get(d.binding_id) ?? 0) + 1);
  const ids = [...counts.keys()].sort();
  const bumped = await rows<{ binding_id: string; event_seq: number }>(
    sql,
    `UPDATE bindings b SET event_seq = b.event_seq + c.n
       FROM unnest($1::text[], $2::int[]) AS c(binding_id, n)
      WHERE b.binding_id = c.binding_id
      RETURNING b.binding_id, b.event_seq`,
    [ids, ids.map((id) => counts.get(id)!)],
  );
  // The last seq before this batch, per binding; each draft takes the next one, in draft order.
  const last = new Map(bumped.map((r) => [r.binding_id, r.event_seq - counts.get(r.binding_id)!]));
  const numbered = drafts.map((d) => {
    const prev = last.get(d.binding_id);
    if (prev === undefined) throw new Error(`cannot append an event to binding ${d.binding_id}: no such binding`);
    last.set(d.binding_id, prev + 1);
    return { ...d, seq: prev + 1, event_id: newId('evt') };
  });

  await sql.query('SELECT pg_advisory_xact_lock($1, $2)', [...EVENTS_LOCK]);
  const inserted = await rows<{ event_id: string; gseq: number }>(
    sql,
    `INSERT INTO events (event_id, tenant_id, binding_id, seq, type, time, data)
     SELECT event_id, tenant_id, binding_id, seq, type, time, data
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[], $7::json[])
            WITH ORDINALITY AS u(event_id, tenant_id, binding_id, seq, type, time, data, ord)
      ORDER BY ord
     RETURNING event_id, gseq`,
    [
      numbered.map((e) => e.event_id),
      numbered.map((e) => e.tenant_id),
      numbered.map((e) => e.binding_id),
      numbered.map((e) => e.seq),
      numbered.map((e) => e.type),
      numbered.map((e) => e.time),
      numbered.map((e) => jsonParam(e.data)),
    ],
  );
  const gseqOf = new Map(inserted.map((r) => [r.event_id, r.gseq]));
  return numbered.map((e) => ({ ...e, gseq: gseqOf.get(e.event_id)! }));
}

export async function listEvents(sql: Sql, tenantId: string, opts: { bindingId?: string; after?: number; limit: number }): Promise<EventRow[]> {
  const found = opts.bindingId
    ? await rows(sql, 'SELECT * FROM events WHERE tenant_id = $1 AND binding_id = $2 AND seq > $3 ORDER BY seq LIMIT $4', [
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
