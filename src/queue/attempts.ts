/**
 * The attempt lifecycle: claim (lease + fresh token), heartbeat, complete or fail, and the
 * reaper that turns expired leases into failed attempts and due retries into queued work.
 * Heartbeats and reports are batched like intake: one transaction per tick.
 */
import { RailError } from '../contracts/errors.js';
import type { Progress } from '../contracts/execution-binding.js';
import type { RailContext } from '../rail/context.js';
import { finalizeBinding, type TerminalOutcome } from '../rail/finalize.js';
import { assertTransition } from '../rail/state-machine.js';
import type { StoreTx } from '../store/store.js';
import type { BindingRow, CommandRow, EventDraft, EventRow } from '../store/types.js';
import { failAttempt, type AttemptError } from './attempt-failure.js';
import { Batcher, type BatchResult } from '../store/batcher.js';
import { assertCurrentAttempt } from './fencing.js';
import { mintTaskToken, parseTaskToken, type ParsedToken } from './task-token.js';

export interface ClaimedTask {
  binding: BindingRow;
  command: CommandRow;
  token: string;
}

export type Report =
  | Extract<TerminalOutcome, { kind: 'succeeded' }>
  | ({ kind: 'failed'; runMs: number } & AttemptError);

export interface HeartbeatAnswer {
  lease_expires_at: number;
  cancel_requested: boolean;
}

interface TokenItem<T> {
  token: ParsedToken;
  tenantId?: string;
  payload: T;
  /** Answer with the binding as this item left it (one more read in the transaction); in-process workers do not need it. */
  wantRow?: boolean;
}

function parseOrThrow(token: string): ParsedToken {
  const parsed = parseTaskToken(token);
  if (!parsed) throw new RailError('not_found', 'no task for this token');
  return parsed;
}

export class Attempts {
  readonly #heartbeats: Batcher<TokenItem<Progress | undefined>, HeartbeatAnswer>;
  readonly #reports: Batcher<TokenItem<Report>, BindingRow>;

  constructor(private readonly ctx: RailContext) {
    this.#heartbeats = new Batcher((items) => this.#flushHeartbeats(items), ctx.options.maxBatch);
    this.#reports = new Batcher((items) => this.#flushReports(items), ctx.options.maxBatch);
  }

  /** Leases up to `limit` runnable bindings of `tools`; each gets a fresh task token. */
  async claim(req: { tools: string[]; limit: number; owner: string; tenantId?: string }): Promise<ClaimedTask[]> {
    const { store, bus } = this.ctx;
    // Paused tools are passed over by the claim statement itself: no read of the switch first.
    const { tools } = req;
    if (tools.length === 0 || req.limit <= 0) return [];
    const now = this.ctx.now();
    const { claimed, events } = await store.write(async (tx) => {
      const claimed = await tx.claim(
        { now, limit: Math.min(req.limit, this.ctx.options.maxBatch), leaseOwner: req.owner, tools, tenantId: req.tenantId },
        mintTaskToken,
      );
      const events = await tx.appendEvents(
        claimed.map(({ row }) => ({
          tenant_id: row.tenant_id,
          binding_id: row.binding_id,
          type: 'bindrail.queue.leased' as const,
          time: now,
          data: { attempt: row.attempt, token_id: row.token_id, lease_expires_at: new Date(row.lease_expires_at!).toISOString(), owner: req.owner },
        })),
      );
      const tasks: ClaimedTask[] = [];
      for (const { row, token } of claimed) {
        const command = await tx.getCommand(row.binding_id);
        if (command) tasks.push({ binding: row, token, command });
      }
      return { claimed: tasks, events };
    });
    if (events.length > 0) bus.emit('events', events);
    return claimed;
  }

  /** Extends the lease of the token's attempt; 409 when the attempt is stale or cancelled. */
  async heartbeat(token: string, progress?: Progress, tenantId?: string): Promise<HeartbeatAnswer> {
    return this.#heartbeats.add({ token: parseOrThrow(token), tenantId, payload: progress });
  }

  /** Reports the end of an attempt; resolves with the binding after the report is durable. */
  async report(token: string, report: Report, tenantId?: string): Promise<BindingRow> {
    return this.#reports.add({ token: parseOrThrow(token), tenantId, payload: report, wantRow: true });
  }

  /** Like report(), without reading the binding back: the in-process worker's hot path. */
  async reportQuietly(token: string, report: Report): Promise<void> {
    await this.#reports.add({ token: parseOrThrow(token), payload: report });
  }

  /**
   * Locks the token's binding and checks the token is current. A lease that has already expired
   * is failed here, exactly as the reaper would fail it, so the answer never depends on which runs first.
   */
  async #lockCurrent(tx: StoreTx, item: TokenItem<unknown>, now: number, drafts: EventDraft[]): Promise<{ b: BindingRow; cancelled: boolean }> {
    const b = await tx.lockBinding(item.token.bindingId);
    // A token used under another tenant's key is as unknown as a forged one.
    if (b && item.tenantId !== undefined && b.tenant_id !== item.tenantId) throw new RailError('not_found', 'no task for this token');
    // Fencing first: only the current attempt's own token learns of a cancel or acts on it.
    const current = assertCurrentAttempt(b, item.token);
    if (current.cancel_requested) return { b: current, cancelled: true };
    if (current.lease_expires_at !== null && current.lease_expires_at < now) {
      const err = { code: 'lease_expired', message: `no heartbeat within ${current.heartbeat_timeout_ms} ms`, retryable: true };
      drafts.push(...(await failAttempt(this.ctx, tx, current, err, now, now - (current.heartbeat_at ?? current.updated_at))));
      throw new RailError('stale_task_token', `the lease of attempt ${current.attempt} expired before this arrived`);
    }
    return { b: current, cancelled: false };
  }

  async #flushHeartbeats(items: TokenItem<Progress | undefined>[]): Promise<BatchResult<HeartbeatAnswer>[]> {
    const now = this.ctx.now();
    const results: BatchResult<HeartbeatAnswer>[] = [];
    const events = await this.ctx.store.write(async (tx) => {
      const drafts: EventDraft[] = [];
      // The whole batch's rows in one statement; #lockCurrent then finds each one locked.
      await tx.lockBindings(items.map((i) => i.token.bindingId));
      for (const item of items) {
        try {
          const { b, cancelled } = await this.#lockCurrent(tx, item, now, drafts);
          if (cancelled) throw new RailError('binding_cancelled', 'the binding was cancelled; stop and report');
          const leaseExpiresAt = now + b.heartbeat_timeout_ms;
          await tx.updateBinding(b.binding_id, {
            lease_expires_at: leaseExpiresAt,
            heartbeat_at: now,
            updated_at: now,
            ...(item.payload ? { progress: item.payload } : {}),
          });
          if (item.payload) {
            drafts.push({ tenant_id: b.tenant_id, binding_id: b.binding_id, type: 'bindrail.tool.progress', time: now, data: { attempt: b.attempt, ...item.payload } });
          }
          results.push({ ok: true, value: { lease_expires_at: leaseExpiresAt, cancel_requested: false } });
        } catch (error) {
          results.push({ ok: false, error });
        }
      }
      return tx.appendEvents(drafts);
    });
    this.#publish(events);
    return results;
  }

  async #flushReports(items: TokenItem<Report>[]): Promise<BatchResult<BindingRow>[]> {
    const now = this.ctx.now();
    const results: BatchResult<BindingRow>[] = [];
    const events = await this.ctx.store.write(async (tx) => {
      const drafts: EventDraft[] = [];
      // The whole batch's rows and commands in one statement; #lockCurrent and finalize find them.
      await tx.lockBindings(items.map((i) => i.token.bindingId), { commands: true });
      for (const item of items) {
        try {
          const { b, cancelled } = await this.#lockCurrent(tx, item, now, drafts);
          const r = item.payload;
          if (cancelled) {
            drafts.push(...(await finalizeBinding(this.ctx, tx, b, { kind: 'cancelled', reason: 'cancel requested', runMs: r.runMs }, now)));
          } else if (r.kind === 'succeeded') {
            drafts.push(...(await finalizeBinding(this.ctx, tx, b, r, now)));
          } else {
            drafts.push(...(await failAttempt(this.ctx, tx, b, r, now, r.runMs)));
          }
          // The state this report left (read in its own transaction: a reaper pass right after the
          // commit, moving retry_wait on to queued, must not change what the reporter is told).
          const after = item.wantRow ? await tx.lockBinding(b.binding_id) : undefined;
          results.push({ ok: true, value: after ?? b });
        } catch (error) {
          results.push({ ok: false, error });
        }
      }
      return tx.appendEvents(drafts);
    });
    this.#publish(events);
    return results;
  }

  /** One pass of the reaper: expired leases fail their attempt; due retries go back to the queue. */
  async reap(limit = 500): Promise<{ expired: number; requeued: number }> {
    const now = this.ctx.now();
    const { events, expired, requeued } = await this.ctx.store.write(async (tx) => {
      const drafts: EventDraft[] = [];
      const expired = await tx.expiredLeases(now, limit);
      for (const b of expired) {
        const err = { code: 'lease_expired', message: `no heartbeat within ${b.heartbeat_timeout_ms} ms`, retryable: true };
        drafts.push(...(await failAttempt(this.ctx, tx, b, err, now, now - (b.heartbeat_at ?? b.updated_at))));
      }
      for (const b of await tx.pastDeadline(now, limit)) {
        const message = `the deadline ${new Date(b.deadline!).toISOString()} passed while the work was ${b.state}`;
        drafts.push(...(await finalizeBinding(this.ctx, tx, b, { kind: 'failed', code: 'deadline_exceeded', message, runMs: 0 }, now)));
      }
      const due = await tx.dueRetries(now, limit);
      for (const b of due) {
        await tx.updateBinding(b.binding_id, { state: 'queued', run_at: now, next_retry_at: null, updated_at: now });
      }
      return { events: await tx.appendEvents(drafts), expired: expired.length, requeued: due.length };
    });
    this.#publish(events);
    if (requeued > 0) this.ctx.bus.emit('work');
    return { expired, requeued };
  }

  /**
   * A worker that restarts under the same id fails the attempts it held when it died, at once,
   * instead of leaving them to wait out their leases.
   */
  async recoverOrphans(owner: string): Promise<number> {
    const now = this.ctx.now();
    const { events, count } = await this.ctx.store.write(async (tx) => {
      const orphans = await tx.leasedBy(owner, 100_000);
      const drafts: EventDraft[] = [];
      for (const b of orphans) {
        const err = { code: 'worker_restarted', message: `worker ${owner} restarted while running attempt ${b.attempt}`, retryable: true };
        drafts.push(...(await failAttempt(this.ctx, tx, b, err, now, now - (b.heartbeat_at ?? b.updated_at))));
      }
      return { events: await tx.appendEvents(drafts), count: orphans.length };
    });
    this.#publish(events);
    if (count > 0) this.ctx.bus.emit('work');
    return count;
  }

  /**
   * Gives leases back without spending their attempts (leased → queued, attempt number restored):
   * a worker shutting down hands over what it cannot finish instead of leaving it to expire.
   * Fenced like a report: a token that is no longer current releases nothing, an expired lease is
   * failed as the reaper would fail it, and a binding whose cancel was requested is cancelled.
   * The next lease mints a new token for the same attempt number, so a late report under the old
   * token is refused as unknown. Answers how many leases went back to the queue.
   */
  async release(tokens: string[]): Promise<number> {
    const now = this.ctx.now();
    const { events, released } = await this.ctx.store.write(async (tx) => {
      const drafts: EventDraft[] = [];
      let released = 0;
      for (const raw of tokens) {
        const token = parseTaskToken(raw);
        if (!token) continue;
        let locked: { b: BindingRow; cancelled: boolean };
        try {
          locked = await this.#lockCurrent(tx, { token, payload: undefined }, now, drafts);
        } catch (error) {
          // Not current any more (reported, expired, superseded): nothing of ours to give back.
          if (error instanceof RailError) continue;
          throw error;
        }
        const { b, cancelled } = locked;
        if (cancelled) {
          drafts.push(...(await finalizeBinding(this.ctx, tx, b, { kind: 'cancelled', reason: 'cancel requested', runMs: now - (b.heartbeat_at ?? b.updated_at) }, now)));
          continue;
        }
        assertTransition(b.state, 'queued');
        await tx.updateBinding(b.binding_id, {
          state: 'queued',
          attempt: b.attempt - 1,
          run_at: now,
          lease_expires_at: null,
          lease_owner: null,
          heartbeat_at: null,
          token_hash: null,
          progress: null,
          updated_at: now,
        });
        drafts.push({
          tenant_id: b.tenant_id,
          binding_id: b.binding_id,
          type: 'bindrail.queue.released',
          time: now,
          data: { attempt: b.attempt, token_id: b.token_id, owner: b.lease_owner },
        });
        released++;
      }
      return { events: await tx.appendEvents(drafts), released };
    });
    this.#publish(events);
    if (released > 0) this.ctx.bus.emit('work');
    return released;
  }

  #publish(events: EventRow[]): void {
    if (events.length > 0) this.ctx.bus.emit('events', events);
  }
}
