/**
 * The in-process worker: claims batches of runnable work for the tools registered in this
 * process, runs up to `concurrency` at once, and sleeps until new work is signalled.
 */
import type { RailContext } from '../rail/context.js';
import type { ToolLogger } from '../tools/sdk.js';
import type { Attempts } from './attempts.js';
import { RELEASED, runTask } from './run-task.js';

/** How long stopped tasks get to unwind after their leases are released. */
const RELEASE_SETTLE_MS = 2_000;

export interface WorkerOptions {
  concurrency: number;
  /** Longest sleep without a wake-up signal (covers not_before and work from other processes). */
  pollMs: number;
  owner: string;
  log: ToolLogger;
}

export class InProcessWorker {
  #running = false;
  /** Running tasks by binding id: how to stop each, and the token that holds its lease. */
  #inflight = new Map<string, { abort: (reason: string) => void; token: string }>();
  #tasks = new Set<Promise<void>>();
  #wake: (() => void) | undefined;
  /** A wake-up that came while the loop was busy: the next sleep returns at once. */
  #woken = false;
  /**
   * A claim may find work: the last one filled every slot it asked for, or work was announced (or
   * the poll ran) since it began. A claim that came back short found the queue empty for this
   * worker, so a slot freed by a finished task waits for news of work instead of claiming again:
   * at rest that spares two empty claim transactions per task.
   */
  #mayFindWork = true;
  #loop: Promise<void> | undefined;
  readonly #onWork = () => {
    this.#mayFindWork = true;
    this.#signal();
  };
  readonly #onCancel = (bindingId: string) => this.#inflight.get(bindingId)?.abort('cancelled');

  constructor(
    private readonly ctx: RailContext,
    private readonly attempts: Attempts,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#mayFindWork = true;
    this.ctx.bus.on('work', this.#onWork);
    this.ctx.bus.on('cancel', this.#onCancel);
    this.#loop = this.#run();
  }

  /**
   * Stops claiming and waits up to `graceMs` for running tasks to report. Tasks still running then
   * are stopped and their leases given back (leased → queued, the attempt not spent), so another
   * worker takes them at once instead of after their leases expire.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.ctx.bus.off('work', this.#onWork);
    this.ctx.bus.off('cancel', this.#onCancel);
    this.#signal();
    await this.#loop;
    await this.#settle(graceMs);
    const unfinished = [...this.#inflight.values()];
    if (unfinished.length === 0) return;
    // Stopped first, so none of them reports a failure for an attempt that is being given back.
    for (const task of unfinished) task.abort(RELEASED);
    try {
      const released = await this.attempts.release(unfinished.map((t) => t.token));
      this.opts.log.warn('released the leases of unfinished tasks', { released, unfinished: unfinished.length });
    } catch (err) {
      this.opts.log.warn('could not release leases; they will expire and be retried', { error: String(err) });
    }
    // The stopped tasks unwind before the caller closes the store under them.
    await this.#settle(RELEASE_SETTLE_MS);
  }

  #settle(boundMs: number): Promise<unknown> {
    const timeout = new Promise<void>((r) => setTimeout(r, boundMs).unref());
    return Promise.race([Promise.allSettled([...this.#tasks]), timeout]);
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const free = this.opts.concurrency - this.#tasks.size;
      let failed = false;
      if (free > 0 && this.#mayFindWork) {
        // Cleared before the claim: work announced while it runs sets it again.
        this.#mayFindWork = false;
        const limit = Math.min(free, this.ctx.options.maxBatch);
        try {
          const tasks = await this.attempts.claim({ tools: this.ctx.registry.inProcessToolNames(), limit, owner: this.opts.owner });
          if (tasks.length >= limit) this.#mayFindWork = true;
          for (const task of tasks) {
            const op = this.ctx.registry.operation(task.binding.tool_name, task.binding.operation);
            if (!op?.spec) continue; // unregistered since the claim: the lease expires and the reaper fails it
            const p = runTask(this.attempts, op, task, {
              onStart: (id, abort) => this.#inflight.set(id, { abort, token: task.token }),
              onEnd: (id) => this.#inflight.delete(id),
              log: this.opts.log,
              now: this.ctx.now,
            })
              .catch((err: unknown) => this.opts.log.warn('task failed to report', { error: String(err) }))
              .finally(() => {
                this.#tasks.delete(p);
                this.#signal();
              });
            this.#tasks.add(p);
          }
        } catch (err) {
          this.opts.log.warn('claim failed', { error: String(err) });
          failed = true;
          this.#mayFindWork = true;
        }
      }
      if (failed || !this.#mayFindWork || this.#tasks.size >= this.opts.concurrency) await this.#sleep();
    }
  }

  #signal(): void {
    if (this.#wake) this.#wake();
    else this.#woken = true;
  }

  #sleep(): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      // Cleared however the sleep ends: a wake-up left behind by a timed-out sleep would swallow
      // the next signal instead of recording it in #woken.
      const finish = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      // The poll: work that nothing announces (not_before coming due) is found by claiming again.
      const timer = setTimeout(() => {
        this.#mayFindWork = true;
        finish();
      }, this.opts.pollMs);
      this.#wake = finish;
    });
  }
}
