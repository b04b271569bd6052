/** The rail's front door: intake, reads that 404 across tenants, and operator actions. */
import { RailError } from '../contracts/errors.js';
import type { WorkOrderRequest } from '../contracts/work-order.js';
import { Attempts } from '../queue/attempts.js';
import type { BatchResult } from '../store/batcher.js';
import type { BindingFilter, BindingRow } from '../store/types.js';
import { RemoteTools } from '../tools/remote-tools.js';
import type { RailContext } from './context.js';
import type { Actor } from './audit.js';
import { Intake, type Accepted } from './intake.js';
import { cancelBinding, replayBinding, retryNow } from './operate.js';

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new RailError('not_found', `no ${what}`);
  return value;
}

export class Rail {
  readonly intake: Intake;
  readonly attempts: Attempts;
  readonly remoteTools: RemoteTools;

  constructor(readonly ctx: RailContext) {
    this.intake = new Intake(ctx);
    this.attempts = new Attempts(ctx);
    this.remoteTools = new RemoteTools(ctx);
  }

  get store() {
    return this.ctx.store;
  }

  submit(tenantId: string, req: WorkOrderRequest, opts?: { idempotencyKey?: string; allowedTools?: readonly string[] }): Promise<Accepted> {
    return this.intake.submit(tenantId, req, opts);
  }

  /** Many Work Orders at once: one outcome each, in order (see Intake.submitMany). */
  submitMany(tenantId: string, reqs: readonly WorkOrderRequest[], opts?: { allowedTools?: readonly string[] }): Promise<BatchResult<Accepted>[]> {
    return this.intake.submitMany(tenantId, reqs, opts);
  }

  async binding(tenantId: string, bindingId: string): Promise<BindingRow> {
    return found(await this.store.getBinding(tenantId, bindingId), `binding ${bindingId}`);
  }

  listBindings(tenantId: string, filter: BindingFilter): Promise<BindingRow[]> {
    return this.store.listBindings(tenantId, { ...filter, limit: Math.min(filter.limit, this.ctx.options.maxPageSize) });
  }

  async workOrder(tenantId: string, id: string) {
    return found(await this.store.getWorkOrder(tenantId, id), `work order ${id}`);
  }

  async command(tenantId: string, bindingId: string) {
    return found(await this.store.getCommand(tenantId, bindingId), `binding ${bindingId}`);
  }

  async receipt(tenantId: string, receiptId: string) {
    return found(await this.store.getReceipt(tenantId, receiptId), `receipt ${receiptId}`);
  }

  /** Operator actions; with an `actor` each writes an audit row in its own transaction. */
  cancel(tenantId: string, bindingId: string, actor?: Actor) {
    return cancelBinding(this.ctx, tenantId, bindingId, undefined, actor);
  }

  replay(tenantId: string, bindingId: string, inputPatch?: Record<string, unknown>, actor?: Actor) {
    return replayBinding(this.ctx, tenantId, bindingId, inputPatch, actor);
  }

  retry(tenantId: string, bindingId: string, actor?: Actor) {
    return retryNow(this.ctx, tenantId, bindingId, actor);
  }
}
