/** What the rail's parts share: the store, the tools, the signing key, the clock and the bus. */
import type { HostLookup } from '../delivery/ssrf.js';
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
  /** Let callbacks reach loopback/private addresses (--allow-private-callbacks). */
  allowPrivateCallbacks: boolean;
  /** Delays between callback tries (ms); after the last one a callback is `failed`. */
  callbackBackoff: number[];
  /** How long one callback try may take. */
  callbackTimeoutMs: number;
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
  /** DNS for the callback SSRF guard; injected so tests can resolve names without a network. */
  lookup?: HostLookup;
  /** Last and next run of this process's background loops, for the queue monitor. */
  loops?: Partial<Record<'reaper' | 'callbacks', { lastRunAt: number | null; nextRunAt: number | null }>>;
}

export const DEFAULT_RAIL_OPTIONS: RailOptions = {
  backoff: { baseMs: 1_000, capMs: 300_000 },
  maxBatch: 512,
  maxPageSize: 500,
  allowPrivateCallbacks: false,
  callbackBackoff: [1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000],
  callbackTimeoutMs: 10_000,
};
