/** In-process notifications after a commit: new events, runnable work, cancellations. */
import { EventEmitter } from 'node:events';
import type { EventRow } from '../store/types.js';

interface BusEvents {
  events: [EventRow[]];
  work: [];
  cancel: [bindingId: string];
  /** Events were committed by another process sharing the store: read the store again. */
  stored: [];
}

export class RailBus extends EventEmitter<BusEvents> {
  constructor() {
    super();
    // SSE clients each add a listener; they are bounded by the server's connection limit instead.
    this.setMaxListeners(0);
  }
}
