/** SQLite: result events, numbered per binding and globally in commit order. */
import { newId } from '../../rail/ids.js';
import type { EventDraft, EventRow } from '../types.js';
import { eventFromRow } from './codec.js';
import type { Prepare } from './open.js';

export function appendEvents(p: Prepare, drafts: EventDraft[]): EventRow[] {
  if (drafts.length === 0) return [];
  // One counter bump per binding for all of its events in this batch, not one per event.
  const perBinding = new Map<string, number>();
  for (const d of drafts) perBinding.set(d.binding_id, (perBinding.get(d.binding_id) ?? 0) + 1);
  const bump = p('UPDATE bindings SET event_seq = event_seq + ? WHERE binding_id = ? RETURNING event_seq');
  const nextSeq = new Map<string, number>();
  for (const [bindingId, count] of perBinding) {
    const { event_seq } = bump.get(count, bindingId) as { event_seq: number };
    nextSeq.set(bindingId, event_seq - count + 1);
  }
  const insert = p(
    `INSERT INTO events (event_id, tenant_id, binding_id, seq, type, time, data)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  return drafts.map((d) => {
    const seq = nextSeq.get(d.binding_id)!;
    nextSeq.set(d.binding_id, seq + 1);
    const event_id = newId('evt');
    // gseq is the rowid: lastInsertRowid is cheaper than RETURNING.
    const gseq = Number(insert.run(event_id, d.tenant_id, d.binding_id, seq, d.type, d.time, JSON.stringify(d.data)).lastInsertRowid);
    return { ...d, gseq, event_id, seq };
  });
}

export function listEvents(
  p: Prepare,
  tenantId: string,
  opts: { bindingId?: string; after?: number; limit: number },
): EventRow[] {
  const rows = opts.bindingId
    ? p(`SELECT * FROM events WHERE tenant_id = ? AND binding_id = ? AND seq > ? ORDER BY seq LIMIT ?`).all(
        tenantId,
        opts.bindingId,
        opts.after ?? 0,
        opts.limit,
      )
    : p(`SELECT * FROM events WHERE tenant_id = ? AND gseq > ? ORDER BY gseq LIMIT ?`).all(
        tenantId,
        opts.after ?? 0,
        opts.limit,
      );
  return (rows as Record<string, unknown>[]).map(eventFromRow);
}
