/**
 * Intake: validate, route and bind a Work Order. Validation and routing are pure and happen
 * first; the binding, command, first event and `work_order.accepted` leaf go in ONE transaction,
 * batched with whatever else arrived in the same tick.
 */
import { RailError } from '../contracts/errors.js';
import type { ToolCommand } from '../contracts/tool-command.js';
import type { WorkOrderRequest } from '../contracts/work-order.js';
import { checkCallbackUrl } from '../delivery/ssrf.js';
import { digestJson } from '../proof/canonical.js';
import { Batcher, type BatchResult } from '../store/batcher.js';
import type { StoreTx } from '../store/store.js';
import type { BindingRow, EventDraft, LedgerDraft } from '../store/types.js';
import type { RegisteredOperation } from '../tools/registry.js';
import type { RailContext } from './context.js';
import { newId } from './ids.js';
import { iso } from './present.js';
import { route, type Route } from './routing.js';

export interface Accepted {
  binding: BindingRow;
  /** false when an earlier request with the same idempotency key and body made it. */
  created: boolean;
}

interface IntakeItem {
  tenantId: string;
  request: WorkOrderRequest;
  idempotencyKey: string | null;
  digest: string;
  route: Route;
}

/** The request digest idempotency compares: the canonical body without the key itself. */
export function requestDigest(req: WorkOrderRequest): string {
  const { idempotency_key: _key, ...rest } = req;
  return digestJson(rest);
}

/** Checks the parts of a Work Order its schema cannot: routing, inputs against the operation, dates. */
export function checkWorkOrder(ctx: RailContext, req: WorkOrderRequest, allowedTools?: readonly string[]): Route {
  const r = route(req, ctx.registry, allowedTools);
  const errors = r.op.checkInput(req.inputs);
  for (const field of ['not_before', 'deadline'] as const) {
    const v = req[field];
    if (v !== undefined && Number.isNaN(Date.parse(v))) errors.push({ pointer: `/${field}`, detail: 'is not a date-time' });
  }
  if (req.not_before && req.deadline && Date.parse(req.deadline) <= Date.parse(req.not_before)) {
    errors.push({ pointer: '/deadline', detail: 'must be after not_before' });
  }
  if (errors.length > 0) {
    throw new RailError('validation_failed', `the Work Order's inputs do not fit ${r.op.tool}.${r.op.name}`, errors);
  }
  return r;
}

export function buildCommand(
  b: Pick<BindingRow, 'binding_id' | 'command_id' | 'work_order_id' | 'tenant_id' | 'tool_name' | 'tool_version' | 'operation'>,
  req: WorkOrderRequest,
  inputs: Record<string, unknown>,
  now: number,
): { body: ToolCommand; digest: string } {
  const core: Omit<ToolCommand, 'digest'> = {
    object: 'tool_command',
    command_id: b.command_id,
    binding_id: b.binding_id,
    work_order_id: b.work_order_id,
    tenant_id: b.tenant_id,
    tool: { name: b.tool_name, version: b.tool_version },
    operation: b.operation,
    inputs,
    inputs_digest: digestJson(inputs),
    input_refs: req.input_refs ?? [],
    evidence: req.evidence ?? [],
    return: {
      callback_url: req.return?.callback_url ?? null,
      summary: req.return?.summary ?? true,
      attestation: req.return?.attestation ?? true,
    },
    deadline: req.deadline ? new Date(req.deadline).toISOString() : null,
    idempotency_key: b.command_id,
    created_at: iso(now),
  };
  const digest = digestJson(core);
  return { body: { ...core, digest }, digest };
}

export function newBindingRow(p: {
  tenantId: string;
  workOrderId: string;
  op: RegisteredOperation;
  routing: BindingRow['routing'];
  priority: number;
  runAt: number;
  deadline: number | null;
  replayOf: string | null;
  now: number;
}): BindingRow {
  return {
    tenant_id: p.tenantId,
    binding_id: newId('bnd'),
    work_order_id: p.workOrderId,
    tool_name: p.op.tool,
    tool_version: p.op.toolVersion,
    operation: p.op.name,
    routing: p.routing,
    command_id: newId('cmd'),
    state: 'queued',
    attempt: 0,
    max_attempts: p.op.maxAttempts,
    priority: p.priority,
    heartbeat_timeout_ms: p.op.heartbeatTimeoutMs,
    run_at: p.runAt,
    lease_expires_at: null,
    lease_owner: null,
    heartbeat_at: null,
    next_retry_at: null,
    token_id: null,
    token_hash: null,
    progress: null,
    replay_of: p.replayOf,
    cancel_requested: false,
    last_error: null,
    deadline: p.deadline,
    first_leased_at: null,
    finished_at: null,
    created_at: p.now,
    updated_at: p.now,
  };
}

/** Writes a new binding with its command; returns its event and ledger drafts. */
export async function insertBinding(
  tx: StoreTx,
  b: BindingRow,
  req: WorkOrderRequest,
  inputs: Record<string, unknown>,
  now: number,
): Promise<{ event: EventDraft; commandDigest: string }> {
  const cmd = buildCommand(b, req, inputs, now);
  await tx.insertBinding(b);
  await tx.insertCommand({ tenant_id: b.tenant_id, command_id: b.command_id, binding_id: b.binding_id, body: cmd.body, digest: cmd.digest });
  return {
    commandDigest: cmd.digest,
    event: {
      tenant_id: b.tenant_id,
      binding_id: b.binding_id,
      type: 'bindrail.binding.created',
      time: now,
      data: {
        work_order_id: b.work_order_id,
        tool: { name: b.tool_name, version: b.tool_version },
        operation: b.operation,
        routing: b.routing,
        command_id: b.command_id,
        replay_of: b.replay_of,
      },
    },
  };
}

/** A promise's outcome as a value, so one refusal does not hide the others. */
const settle = <T>(p: Promise<T>): Promise<BatchResult<T>> =>
  p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

export class Intake {
  readonly #batcher: Batcher<IntakeItem, Accepted>;

  constructor(private readonly ctx: RailContext) {
    this.#batcher = new Batcher((items) => this.#flush(items), ctx.options.maxBatch);
  }

  /** Validates, routes and queues a Work Order; resolves once it is durable. */
  async submit(tenantId: string, request: WorkOrderRequest, opts: { idempotencyKey?: string; allowedTools?: readonly string[] } = {}): Promise<Accepted> {
    return this.#batcher.add(await this.#check(tenantId, request, opts));
  }

  /**
   * Checks every Work Order first, then queues all that pass at once, so they share group commits
   * (one transaction per `maxBatch`). One outcome per request, in order; a refusal stores nothing.
   */
  async submitMany(tenantId: string, requests: readonly WorkOrderRequest[], opts: { allowedTools?: readonly string[] } = {}): Promise<BatchResult<Accepted>[]> {
    const checked = await Promise.all(requests.map((request) => settle(this.#check(tenantId, request, opts))));
    return Promise.all(checked.map((c) => (c.ok ? settle(this.#batcher.add(c.value)) : c)));
  }

  /** Everything intake checks before the transaction: the key, routing, inputs, dates, the callback URL. */
  async #check(tenantId: string, request: WorkOrderRequest, opts: { idempotencyKey?: string; allowedTools?: readonly string[] }): Promise<IntakeItem> {
    const key = opts.idempotencyKey ?? request.idempotency_key ?? null;
    if (opts.idempotencyKey && request.idempotency_key && opts.idempotencyKey !== request.idempotency_key) {
      throw new RailError('validation_failed', 'the Idempotency-Key header and the body disagree', [
        { pointer: '/idempotency_key', detail: 'differs from the Idempotency-Key header' },
      ]);
    }
    const r = checkWorkOrder(this.ctx, request, opts.allowedTools);
    const callbackUrl = request.return?.callback_url;
    if (callbackUrl) await checkCallbackUrl(callbackUrl, { allowPrivate: this.ctx.options.allowPrivateCallbacks, lookup: this.ctx.lookup });
    return { tenantId, request, idempotencyKey: key, digest: requestDigest(request), route: r };
  }

  async #flush(items: IntakeItem[]): Promise<BatchResult<Accepted>[]> {
    const { store, bus } = this.ctx;
    const now = this.ctx.now();
    const results: BatchResult<Accepted | { existing: string }>[] = [];
    const written = store.write(async (tx) => {
      const seen = new Map<string, { digest: string; binding_id: string }>();
      const eventDrafts: EventDraft[] = [];
      const leafDrafts: LedgerDraft[] = [];
      for (const item of items) {
        const seenKey = item.idempotencyKey && `${item.tenantId}\u0000${item.idempotencyKey}`;
        if (seenKey) {
          const prior =
            seen.get(seenKey) ??
            (await tx.findWorkOrderByKey(item.tenantId, item.idempotencyKey!).then(
              (f) => f && { digest: f.work_order.digest, binding_id: f.binding_id },
            ));
          if (prior) {
            results.push(
              prior.digest === item.digest
                ? { ok: true, value: { existing: prior.binding_id } }
                : { ok: false, error: new RailError('idempotency_conflict', `idempotency key ${item.idempotencyKey} was used with a different body`) },
            );
            continue;
          }
        }
        const req = item.request;
        const workOrderId = newId('wo');
        const inserted = await tx.insertWorkOrder({
          tenant_id: item.tenantId,
          work_order_id: workOrderId,
          idempotency_key: item.idempotencyKey,
          digest: item.digest,
          body: req,
          created_at: now,
        });
        if (!inserted) {
          // Another process committed the same key between our look-up and our insert.
          const winner = (await tx.findWorkOrderByKey(item.tenantId, item.idempotencyKey!))!;
          results.push(
            winner.work_order.digest === item.digest
              ? { ok: true, value: { existing: winner.binding_id } }
              : { ok: false, error: new RailError('idempotency_conflict', `idempotency key ${item.idempotencyKey} was used with a different body`) },
          );
          continue;
        }
        const b = newBindingRow({
          tenantId: item.tenantId,
          workOrderId,
          op: item.route.op,
          routing: item.route.routing,
          priority: req.priority ?? 5,
          runAt: req.not_before ? Math.max(now, Date.parse(req.not_before)) : now,
          deadline: req.deadline ? Date.parse(req.deadline) : null,
          replayOf: null,
          now,
        });
        const { event } = await insertBinding(tx, b, req, req.inputs, now);
        eventDrafts.push(event);
        leafDrafts.push({ tenant_id: item.tenantId, kind: 'work_order.accepted', binding_id: b.binding_id, work_order_id: workOrderId, digest: item.digest, at: iso(now) });
        if (seenKey) seen.set(seenKey, { digest: item.digest, binding_id: b.binding_id });
        results.push({ ok: true, value: { binding: b, created: true } });
      }
      const leaves = await tx.appendLedger(leafDrafts);
      for (const leaf of leaves) {
        eventDrafts.push({
          tenant_id: leaf.tenant_id,
          binding_id: leaf.binding_id,
          type: 'bindrail.ledger.appended',
          time: now,
          data: { seq: leaf.seq, kind: leaf.kind, leaf_hash: leaf.leaf_hash },
        });
      }
      return tx.appendEvents(eventDrafts);
    });
    // One process owns the store (SQLite): wake idle workers now — a claim they make in this tick
    // joins the same group commit and leases the new work in the intake's own transaction, one
    // fsync instead of two. A shared store (PostgreSQL) wakes them by NOTIFY once this commits;
    // a claim before that could not see the new rows.
    if (!store.onWork) bus.emit('work');
    const events = await written;
    if (events.length > 0) bus.emit('events', events);
    // Repeats of an earlier key answer with the binding as it is now.
    return Promise.all(
      results.map(async (r, i): Promise<BatchResult<Accepted>> => {
        if (!r.ok || !('existing' in r.value)) return r as BatchResult<Accepted>;
        const binding = await store.getBinding(items[i]!.tenantId, r.value.existing);
        return binding ? { ok: true, value: { binding, created: false } } : { ok: false, error: new RailError('internal') };
      }),
    );
  }
}
