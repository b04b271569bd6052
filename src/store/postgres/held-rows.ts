/**
 * What one PostgreSQL transaction knows without asking the database: the bindings it holds (locked
 * FOR UPDATE, or inserted by it and so invisible to everyone else), as they are now with its own
 * changes applied; the commands it has read or written; the work orders it inserted. No other
 * transaction can change a held row before this one ends, so reading it again would only repeat
 * what is here — and cost a round trip.
 */
import type { BindingPatch, BindingRow, CommandRow, WorkOrderRow } from '../types.js';

type HeldBinding = BindingRow & { event_seq: number };

export class HeldRows {
  readonly #bindings = new Map<string, HeldBinding>();
  readonly #commands = new Map<string, CommandRow>();
  /** Work orders inserted here, by id; keyed ones also by tenant and key. */
  readonly #workOrders = new Set<string>();
  readonly #keyed = new Map<string, WorkOrderRow>();

  /** `row` was just read FOR UPDATE, or inserted, by this transaction. */
  hold(row: BindingRow): void {
    const eventSeq = (row as Partial<HeldBinding>).event_seq ?? 0;
    this.#bindings.set(row.binding_id, { ...row, event_seq: eventSeq });
  }

  holds(bindingId: string): boolean {
    return this.#bindings.has(bindingId);
  }

  /** A copy of the held row as it is now, or undefined when this transaction does not hold it. */
  binding(bindingId: string): BindingRow | undefined {
    const b = this.#bindings.get(bindingId);
    return b && { ...b };
  }

  change(bindingId: string, patch: BindingPatch): void {
    const b = this.#bindings.get(bindingId);
    if (b) Object.assign(b, patch);
  }

  eventSeq(bindingId: string): number | undefined {
    return this.#bindings.get(bindingId)?.event_seq;
  }

  setEventSeq(bindingId: string, seq: number): void {
    const b = this.#bindings.get(bindingId);
    if (b) b.event_seq = seq;
  }

  /** Commands never change once written, so one read (or the insert) serves the whole transaction. */
  keepCommand(row: CommandRow): void {
    this.#commands.set(row.binding_id, row);
  }

  command(bindingId: string): CommandRow | undefined {
    return this.#commands.get(bindingId);
  }

  insertedWorkOrder(row: WorkOrderRow): void {
    this.#workOrders.add(row.work_order_id);
    if (row.idempotency_key !== null) this.#keyed.set(`${row.tenant_id}\u0000${row.idempotency_key}`, row);
  }

  /** Whether this transaction inserted the work order. */
  insertedHere(workOrderId: string): boolean {
    return this.#workOrders.has(workOrderId);
  }

  /**
   * The work order with this key if this transaction inserted it, with its first binding: all of
   * that work order's bindings are this transaction's own, so they are all held here.
   */
  findKeyed(tenantId: string, key: string): { work_order: WorkOrderRow; binding_id: string } | undefined {
    const wo = this.#keyed.get(`${tenantId}\u0000${key}`);
    if (!wo) return undefined;
    let first: string | undefined;
    for (const b of this.#bindings.values()) {
      if (b.work_order_id === wo.work_order_id && (first === undefined || b.binding_id < first)) first = b.binding_id;
    }
    return first === undefined ? undefined : { work_order: wo, binding_id: first };
  }
}
