/** SQLite: result events, numbered per binding and globally in commit order. */
import { newId } from '../../rail/ids.js';
import type { EventDraft, EventRow } from '../types.js';
import { eventFromRow } from './codec.js';
import type { Prepare } from './open.js';

export function appendEvents(p: Prepare, drafts: EventDraft[]): EventRow[] {
  const bump = p('UPDATE bindings SET event_seq = event_seq + 1 WHERE binding_id = ? RETURNING event_seq');
  const insert = p(
    `INSERT INTO events (event_id, tenant_id, binding_id, seq, type, time, data)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING gseq`,
  );
  return drafts.map((d) => {
    const { event_seq: seq } = bump.get(d.binding_id) as { event_seq: number };
    const event_id = newId('evt');
    const { gseq } = insert.get(event_id, d.tenant_id, d.binding_id, seq, d.type, d.time, JSON.stringify(d.data)) as {
      gseq: number;
    };
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
