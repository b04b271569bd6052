/** A FIFO async mutex: one write transaction at a time on a connection. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    // The next waiter starts when this one settles, whether it resolved or threw.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
