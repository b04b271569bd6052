/** Runs the reaper on a timer and remembers its last and next run for the queue monitor. */
import type { ToolLogger } from '../tools/sdk.js';
import type { Attempts } from './attempts.js';

export class Reaper {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  lastRunAt: number | null = null;
  nextRunAt: number | null = null;
  lastResult = { expired: 0, requeued: 0 };

  constructor(
    private readonly attempts: Attempts,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly log: ToolLogger,
  ) {}

  start(): void {
    const tick = async () => {
      try {
        this.lastResult = await this.attempts.reap();
      } catch (err) {
        this.log.warn('reaper pass failed', { error: String(err) });
      }
      this.lastRunAt = this.now();
      this.nextRunAt = this.lastRunAt + this.intervalMs;
      if (!this.#stopped) this.#timer = setTimeout(tick, this.intervalMs);
    };
    this.nextRunAt = this.now();
    this.#timer = setTimeout(tick, 0);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
