/**
 * The in-process worker: claims batches of runnable work for the tools registered in this
 * process, runs up to `concurrency` at once, and sleeps until new work is signalled.
 */
import type { RailContext } from '../rail/context.js';
import type { ToolLogger } from '../tools/sdk.js';
import type { Attempts } from './attempts.js';
import { runTask } from './run-task.js';

export interface WorkerOptions {
  concurrency: number;
  /** Longest sleep without a wake-up signal (covers not_before and work from other processes). */
  pollMs: number;
  owner: string;
  log: ToolLogger;
}

export class InProcessWorker {
  #running = false;
  #inflight = new Map<string, (reason: string) => void>();
  #tasks = new Set<Promise<void>>();
  #wake: (() => void) | undefined;
  /** A wake-up that came while the loop was busy: the next sleep returns at once. */
  #woken = false;
  #loop: Promise<void> | undefined;
  readonly #onWork = () => this.#signal();
  readonly #onCancel = (bindingId: string) => this.#inflight.get(bindingId)?.('cancelled');

  constructor(
    private readonly ctx: RailContext,
    private readonly attempts: Attempts,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.ctx.bus.on('work', this.#onWork);
    this.ctx.bus.on('cancel', this.#onCancel);
    this.#loop = this.#run();
  }

  /** Stops claiming and waits for running tasks to report (up to `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.ctx.bus.off('work', this.#onWork);
    this.ctx.bus.off('cancel', this.#onCancel);
    this.#signal();
    await this.#loop;
    const timeout = new Promise<void>((r) => setTimeout(r, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.#tasks]), timeout]);
    // Whatever is still running is abandoned: its lease expires and another attempt runs.
    for (const abort of this.#inflight.values()) abort('worker stopping');
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const free = this.opts.concurrency - this.#tasks.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const tasks = await this.attempts.claim({ tools: this.ctx.registry.inProcessToolNames(), limit: free, owner: this.opts.owner });
          claimed = tasks.length;
          for (const task of tasks) {
            const op = this.ctx.registry.operation(task.binding.tool_name, task.binding.operation);
            if (!op?.spec) continue; // unregistered since the claim: the lease expires and the reaper fails it
            const p = runTask(this.attempts, op, task, {
              onStart: (id, abort) => this.#inflight.set(id, abort),
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
        }
      }
      if (claimed === 0 || this.#tasks.size >= this.opts.concurrency) await this.#sleep();
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
      const timer = setTimeout(done, this.opts.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }
}
