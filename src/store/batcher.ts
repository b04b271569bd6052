/**
 * Group commit: items that arrive while a flush runs wait for the next one, so one transaction
 * (one fsync) carries many of them. Under no load an item flushes at once. The SQLite store groups
 * its write() calls with it; intake, heartbeats and reports group their items with it.
 */
export type BatchResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

export class Batcher<I, O> {
  #pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #flushing = false;
  #scheduled = false;
  #idle: (() => void)[] = [];

  constructor(
    private readonly flushFn: (items: I[]) => Promise<BatchResult<O>[]>,
    private readonly maxBatch = 512,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  get pending(): number {
    return this.#pending.length;
  }

  /** Resolves once nothing is pending, scheduled or flushing. */
  async whenIdle(): Promise<void> {
    while (this.#flushing || this.#scheduled || this.#pending.length > 0) {
      await new Promise<void>((resolve) => this.#idle.push(resolve));
    }
  }

  #schedule(): void {
    if (this.#flushing || this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate: let every request already parsed in this turn join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#flushing || this.#pending.length === 0) return;
    this.#flushing = true;
    const batch = this.#pending.splice(0, this.maxBatch);
    try {
      const results = await this.flushFn(batch.map((b) => b.item));
      batch.forEach((b, i) => {
        const r = results[i]!;
        if (r.ok) b.resolve(r.value);
        else b.reject(r.error);
      });
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.#flushing = false;
      if (this.#pending.length > 0) this.#schedule();
      else for (const idle of this.#idle.splice(0)) idle();
    }
  }
}
