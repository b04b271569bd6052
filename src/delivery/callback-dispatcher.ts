/**
 * The callback dispatcher: leases due deliveries in batches, POSTs each (signed, with a timeout),
 * and records every try — in one transaction per batch of finished tries — with its outcome:
 * delivered, another try on the backoff schedule, or `failed` after the last. At-least-once: a try
 * whose outcome was not recorded (crash, stop) is made again with the same webhook-id.
 */
import type { RailContext } from '../rail/context.js';
import { Batcher, type BatchResult } from '../store/batcher.js';
import type { StoreTx } from '../store/store.js';
import type { CallbackDeliveryRow, EventDraft } from '../store/types.js';
import type { ToolLogger } from '../tools/sdk.js';
import { nextStep } from './callback-schedule.js';
import { callbacksPaused } from './kill-switch.js';
import { describeFailure, postWebhook } from './post-webhook.js';
import { CallbackRefused, resolveCallbackTarget } from './ssrf.js';
import { ensureWebhookSecret, signingSecrets } from './webhook-secrets.js';
import { webhookHeaders } from './webhook-signature.js';

export interface DispatcherOptions {
  /** Lease holder name of this process. */
  owner: string;
  /** Longest sleep between looks for due deliveries. */
  pollMs: number;
  /** Tries in flight at once. */
  concurrency: number;
  log: ToolLogger;
}

/** A lease outlives one try by this much, so a try is never taken over while it can still end. */
const LEASE_MARGIN_MS = 5_000;
/** How long stop() lets tries in flight finish before aborting them. */
const STOP_GRACE_MS = 2_000;

interface FinishedTry {
  delivery: CallbackDeliveryRow;
  startedAt: number;
  latencyMs: number;
  statusCode: number | null;
  error: string | null;
  refused: boolean;
}

export class CallbackDispatcher {
  lastRunAt: number | null = null;
  nextRunAt: number | null = null;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  readonly #inflight = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  readonly #recorder: Batcher<FinishedTry, void>;
  /** A result with a callback to deliver wakes the loop; results without one cost it nothing. */
  readonly #onEvents = (events: { type: string; data: Record<string, unknown> }[]) => {
    if (events.some((e) => e.type === 'bindrail.result.ready' && e.data.callback === 'pending')) this.#wake?.();
  };

  constructor(
    private readonly ctx: RailContext,
    private readonly opts: DispatcherOptions,
  ) {
    this.#recorder = new Batcher((tries) => this.#record(tries), ctx.options.maxBatch);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.ctx.bus.on('events', this.#onEvents);
    this.#loop = this.#run();
  }

  /** Stops leasing; lets tries in flight finish briefly, then aborts them unrecorded (they are retried later). */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.ctx.bus.off('events', this.#onEvents);
    this.#wake?.();
    await this.#loop;
    const grace = new Promise<void>((r) => setTimeout(r, STOP_GRACE_MS).unref());
    await Promise.race([Promise.allSettled([...this.#inflight]), grace]);
    this.#stop.abort(new Error('dispatcher stopping'));
    await Promise.allSettled([...this.#inflight]);
  }

  async #run(): Promise<void> {
    const { store } = this.ctx;
    while (this.#running) {
      const free = this.opts.concurrency - this.#inflight.size;
      let claimed = 0;
      const now = this.ctx.now();
      if (free > 0) {
        try {
          if (!(await callbacksPaused(store))) {
            const leaseMs = this.ctx.options.callbackTimeoutMs + LEASE_MARGIN_MS;
            const due = await store.write((tx) => tx.claimCallbackDeliveries({ now, limit: free, owner: this.opts.owner, leaseMs }));
            claimed = due.length;
            for (const d of due) this.#track(this.#deliver(d));
          }
        } catch (err) {
          this.opts.log.warn('callback dispatch pass failed', { error: String(err) });
        }
        this.lastRunAt = now;
        this.nextRunAt = now + this.opts.pollMs;
      }
      // A full batch means more may be due: look again at once (when a slot frees up).
      if (claimed > 0 && claimed === free) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #track(p: Promise<void>): void {
    this.#inflight.add(p);
    void p.finally(() => {
      this.#inflight.delete(p);
      this.#wake?.();
    });
  }

  async #deliver(d: CallbackDeliveryRow): Promise<void> {
    const { options } = this.ctx;
    const startedAt = this.ctx.now();
    const t0 = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      const target = await resolveCallbackTarget(d.url, { allowPrivate: options.allowPrivateCallbacks, lookup: this.ctx.lookup });
      const secret = await ensureWebhookSecret(this.ctx.store, d.tenant_id, startedAt);
      const headers = webhookHeaders({ id: d.webhook_id, timestamp: Math.floor(startedAt / 1000), body: d.payload, secrets: signingSecrets(secret, startedAt) });
      statusCode = await postWebhook({
        url: target.url,
        addresses: target.addresses,
        headers,
        body: d.payload,
        signal: AbortSignal.any([AbortSignal.timeout(options.callbackTimeoutMs), this.#stop.signal]),
      });
      if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
    } catch (err) {
      // Stopping: leave the try unrecorded; the lease expires and it is made again.
      if (this.#stop.signal.aborted) return;
      refused = err instanceof CallbackRefused;
      error = refused ? `callback_url_refused: ${(err as Error).message}` : describeFailure(err, options.callbackTimeoutMs);
    }
    const latencyMs = Math.round(performance.now() - t0);
    try {
      await this.#recorder.add({ delivery: d, startedAt, latencyMs, statusCode, error, refused });
    } catch (err) {
      this.opts.log.warn('recording a callback try failed', { binding_id: d.binding_id, error: String(err) });
    }
  }

  async #record(tries: FinishedTry[]): Promise<BatchResult<void>[]> {
    const now = this.ctx.now();
    const events = await this.ctx.store.write(async (tx) => {
      const drafts: EventDraft[] = [];
      for (const t of tries) drafts.push(...(await this.#recordOne(tx, t, now)));
      return tx.appendEvents(drafts);
    });
    if (events.length > 0) this.ctx.bus.emit('events', events);
    return tries.map(() => ({ ok: true, value: undefined }));
  }

  async #recordOne(tx: StoreTx, t: FinishedTry, now: number): Promise<EventDraft[]> {
    const cur = await tx.lockCallbackDelivery(t.delivery.binding_id);
    if (!cur) return [];
    const attempt = cur.attempts + 1;
    const round = cur.round_attempts + 1;
    const step = nextStep({ statusCode: t.statusCode, refused: t.refused }, round, this.ctx.options.callbackBackoff, now);
    // A try made after our lease was taken over still happened (it is logged), but only the
    // lease holder decides what comes next — unless the callback got through.
    const ours = cur.state === 'pending' && cur.lease_owner === this.opts.owner;
    const decides = step.state === 'delivered' ? cur.state !== 'delivered' : ours;
    await tx.insertCallbackAttempts([
      {
        binding_id: cur.binding_id,
        attempt,
        tenant_id: cur.tenant_id,
        started_at: t.startedAt,
        status_code: t.statusCode,
        latency_ms: t.latencyMs,
        error: t.error,
        outcome: step.state === 'pending' ? 'retry' : step.state,
      },
    ]);
    const state = decides ? step.state : cur.state;
    await tx.updateCallbackDelivery(cur.binding_id, {
      attempts: attempt,
      last_status: t.statusCode,
      last_error: t.error,
      updated_at: now,
      ...(decides
        ? {
            state,
            round_attempts: round,
            next_attempt_at: step.state === 'pending' ? step.retryAt : null,
            lease_owner: null,
            lease_expires_at: null,
            ...(step.state === 'delivered' ? { delivered_at: now } : {}),
          }
        : {}),
    });
    await tx.setResultCallback(cur.binding_id, { state, attempts: attempt });
    if (!decides || step.state === 'pending') return [];
    const data = { webhook_id: cur.webhook_id, attempts: attempt, status_code: t.statusCode };
    return [
      step.state === 'delivered'
        ? { tenant_id: cur.tenant_id, binding_id: cur.binding_id, type: 'bindrail.callback.delivered', time: now, data }
        : {
            tenant_id: cur.tenant_id,
            binding_id: cur.binding_id,
            type: 'bindrail.callback.failed',
            time: now,
            data: { ...data, error: t.error, redeliver: { method: 'POST', path: `/v1/bindings/${cur.binding_id}/callback/redeliver` } },
          },
    ];
  }
}
