/** What the rail's parts share: the store, the tools, the signing key, the clock and the bus. */
import type { SigningKey } from '../proof/keys.js';
import type { BackoffPolicy } from '../queue/backoff.js';
import type { Store } from '../store/store.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { RailBus } from './bus.js';

export interface RailOptions {
  backoff: BackoffPolicy;
  /** Most work orders, claims or completions one transaction carries. */
  maxBatch: number;
  /** Bounds for GET list pages. */
  maxPageSize: number;
}

export interface RailContext {
  store: Store;
  registry: ToolRegistry;
  key: SigningKey;
  bus: RailBus;
  /** Epoch milliseconds; injected so retry and lease tests are exact. */
  now: () => number;
  /** [0, 1); injected for backoff jitter. */
  random: () => number;
  options: RailOptions;
}

export const DEFAULT_RAIL_OPTIONS: RailOptions = {
  backoff: { baseMs: 1_000, capMs: 300_000 },
  maxBatch: 512,
  maxPageSize: 500,
};
