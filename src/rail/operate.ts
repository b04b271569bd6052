/** Operator actions on a binding: cancel, replay (with an optional repair patch), retry now. */
import { RailError } from '../contracts/errors.js';
import type { BindingRow, EventDraft } from '../store/types.js';
import { audit, type Actor } from './audit.js';
import type { RailContext } from './context.js';
import { finalizeBinding } from './finalize.js';
import { insertBinding, newBindingRow } from './intake.js';
import { mergePatch } from './merge-patch.js';
import { iso } from './present.js';
import { isTerminal } from './state-machine.js';

async function requireBinding(ctx: RailContext, tenantId: string, bindingId: string): Promise<BindingRow> {
  const b = await ctx.store.getBinding(tenantId, bindingId);
  if (!b) throw new RailError('not_found', `no binding ${bindingId}`);
  return b;
}

/** Queued or waiting work is cancelled at once; leased work is asked to stop (its signal aborts). */
export async function cancelBinding(ctx: RailContext, tenantId: string, bindingId: string, reason = 'cancelled by request', actor?: Actor): Promise<BindingRow> {
  await requireBinding(ctx, tenantId, bindingId);
  const now = ctx.now();
  const { events, leased } = await ctx.store.write(async (tx) => {
    const b = (await tx.lockBinding(bindingId))!;
    if (isTerminal(b.state) && b.state !== 'cancelled') throw new RailError('invalid_state', `binding ${bindingId} is already ${b.state}`);
    if (actor) await audit(tx, actor, 'binding.cancel', bindingId, now, { state: b.state, reason });
    if (b.state === 'cancelled') return { events: [], leased: false };
    if (b.state === 'leased') {
      await tx.updateBinding(bindingId, { cancel_requested: true, updated_at: now });
      return { events: [], leased: true };
    }
    const drafts = await finalizeBinding(ctx, tx, b, { kind: 'cancelled', reason, runMs: 0 }, now);
    return { events: await tx.appendEvents(drafts), leased: false };
  });
  if (events.length > 0) ctx.bus.emit('events', events);
  if (leased) ctx.bus.emit('cancel', bindingId);
  return requireBinding(ctx, tenantId, bindingId);
}

/**
 * A new binding for the same Work Order, pointing back with `replay_of`: the same inputs by
 * digest, or the original inputs with `inputPatch` merged in (RFC 7386). A repair closes the
 * original's open exception ticket and links the replay.
 */
export async function replayBinding(
  ctx: RailContext,
  tenantId: string,
  bindingId: string,
  inputPatch?: Record<string, unknown>,
  actor?: Actor,
): Promise<BindingRow> {
  const original = await requireBinding(ctx, tenantId, bindingId);
  if (!isTerminal(original.state)) {
    throw new RailError('invalid_state', `binding ${bindingId} is ${original.state}; replay a finished binding, or cancel it first`);
  }
  const op = ctx.registry.operation(original.tool_name, original.operation);
  if (!op) throw new RailError('tool_unavailable', `${original.tool_name}.${original.operation} is no longer registered`);
  const cmd = await ctx.store.getCommand(tenantId, bindingId);
  if (!cmd) throw new RailError('internal', 'the command of this binding is missing');
  const workOrder = await ctx.store.getWorkOrder(tenantId, original.work_order_id);
  if (!workOrder) throw new RailError('internal', 'the work order of this binding is missing');
  const inputs = (inputPatch ? mergePatch(cmd.body.inputs, inputPatch) : cmd.body.inputs) as Record<string, unknown>;
  const errors = op.checkInput(inputs);
  if (errors.length > 0) {
    throw new RailError('validation_failed', 'the patched inputs do not fit the operation', errors.map((e) => ({ ...e, pointer: e.pointer.replace(/^\/inputs/, '/input_patch') })));
  }
  const now = ctx.now();
  const replay = newBindingRow({
    tenantId,
    workOrderId: original.work_order_id,
    op,
    routing: { rule: original.routing.rule, reason: `replay of ${bindingId}${inputPatch ? ' with an input patch' : ''}` },
    priority: original.priority,
    runAt: now,
    deadline: null,
    replayOf: bindingId,
    now,
  });
  const events = await ctx.store.write(async (tx) => {
    const { event, commandDigest } = await insertBinding(tx, replay, workOrder.body, inputs, now);
    const drafts: EventDraft[] = [
      event,
      { tenant_id: tenantId, binding_id: bindingId, type: 'bindrail.binding.replayed', time: now, data: { replay_binding_id: replay.binding_id, patched: Boolean(inputPatch) } },
    ];
    const [leaf] = await tx.appendLedger([
      { tenant_id: tenantId, kind: 'binding.replayed', binding_id: replay.binding_id, work_order_id: replay.work_order_id, digest: commandDigest, at: iso(now) },
    ]);
    drafts.push({ tenant_id: tenantId, binding_id: replay.binding_id, type: 'bindrail.ledger.appended', time: now, data: { seq: leaf!.seq, kind: leaf!.kind, leaf_hash: leaf!.leaf_hash } });
    const ticket = inputPatch ? await tx.openExceptionFor(bindingId) : undefined;
    if (ticket) await tx.resolveException(ticket.exception_id, replay.binding_id, now);
    if (actor) await audit(tx, actor, 'binding.replay', bindingId, now, { replay_binding_id: replay.binding_id, patched: Boolean(inputPatch), resolved_exception: ticket?.exception_id ?? null });
    return tx.appendEvents(drafts);
  });
  ctx.bus.emit('events', events);
  ctx.bus.emit('work');
  return requireBinding(ctx, tenantId, replay.binding_id);
}

/** A binding waiting to retry runs its next attempt now. */
export async function retryNow(ctx: RailContext, tenantId: string, bindingId: string, actor?: Actor): Promise<BindingRow> {
  await requireBinding(ctx, tenantId, bindingId);
  const now = ctx.now();
  await ctx.store.write(async (tx) => {
    const b = (await tx.lockBinding(bindingId))!;
    if (b.state !== 'retry_wait') throw new RailError('invalid_state', `binding ${bindingId} is ${b.state}, not retry_wait`);
    await tx.updateBinding(bindingId, { state: 'queued', run_at: now, next_retry_at: null, updated_at: now });
    if (actor) await audit(tx, actor, 'binding.retry', bindingId, now, { attempt: b.attempt + 1 });
  });
  ctx.bus.emit('work');
  return requireBinding(ctx, tenantId, bindingId);
}
