/**
 * Signs ledger checkpoints: once `every` leaves were appended since the latest checkpoint, and on a
 * timer every `intervalMs` while the tree grew. Decisions read the store, not local memory, so
 * several processes sharing a database cooperate: whichever signs a size first wins (INSERT OR
 * IGNORE / ON CONFLICT DO NOTHING), and each one's key is published, so every copy verifies.
 */
import { signCheckpoint } from '../proof/checkpoint.js';
import type { SigningKey } from '../proof/keys.js';
import { rootHash } from '../proof/merkle.js';
import type { CheckpointRow, Store } from '../store/store.js';
import type { RailBus } from './bus.js';
import { iso } from './present.js';

export interface CheckpointDeps {
  store: Store;
  key: SigningKey;
  /** The checkpoint origin line and note key name. */
  origin: string;
  now: () => number;
}

export interface CheckpointerOptions {
  every: number;
  intervalMs: number;
  bus?: RailBus;
  log?: { warn(msg: string, fields?: Record<string, unknown>): void };
}

/**
 * Signs a checkpoint of the tree as it is now, unless one of that size exists; returns the stored
 * checkpoint of the largest size (possibly another process's). Undefined while the ledger is empty.
 */
export async function signCheckpointNow(deps: CheckpointDeps): Promise<CheckpointRow | undefined> {
  const size = await deps.store.ledgerSize();
  const latest = await deps.store.latestCheckpoint();
  if (size === 0 || (latest && latest.tree_size >= size)) return latest;
  // O(log n) node reads; the nodes of a smaller tree never change, so a concurrent append is harmless.
  const root = await rootHash(size, (coords) => deps.store.ledgerNodes(coords));
  const signed = signCheckpoint({ origin: deps.origin, treeSize: size, rootHash: root, timestamp: iso(deps.now()), key: deps.key });
  await deps.store.write((tx) => tx.insertCheckpoint(signed));
  return deps.store.latestCheckpoint();
}

/** The latest checkpoint if it covers leaf `seq`, else a new one signed now. */
export async function checkpointCovering(deps: CheckpointDeps, seq: number): Promise<CheckpointRow> {
  const latest = await deps.store.latestCheckpoint();
  if (latest && latest.tree_size > seq) return latest;
  const signed = await signCheckpointNow(deps);
  if (!signed || signed.tree_size <= seq) throw new Error(`ledger leaf ${seq} is not in the ledger`);
  return signed;
}

export class Checkpointer {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #appendedSinceTick = 0;
  #stopped = true;
  readonly #onEvents = (events: { type: string }[]) => {
    this.#appendedSinceTick += events.filter((e) => e.type === 'bindrail.ledger.appended').length;
    if (this.#appendedSinceTick >= this.opts.every) void this.tick();
  };

  constructor(
    readonly deps: CheckpointDeps,
    readonly opts: CheckpointerOptions,
  ) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.opts.bus?.on('events', this.#onEvents);
    // Ticks a few times per interval, so a checkpoint is never more than ~1.25 intervals late.
    this.#timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.opts.intervalMs / 4)));
    this.#timer.unref();
  }

  /** Stops the timer and waits for a signing in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.opts.bus?.off('events', this.#onEvents);
    clearInterval(this.#timer);
    await this.#running;
  }

  /**
   * Signs when the tree grew since the latest checkpoint and either `every` leaves have been
   * appended or `intervalMs` has passed since that checkpoint. One tick at a time.
   */
  tick(): Promise<void> {
    this.#running ??= this.#tick().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #tick(): Promise<void> {
    this.#appendedSinceTick = 0;
    try {
      const size = await this.deps.store.ledgerSize();
      const latest = await this.deps.store.latestCheckpoint();
      const signedSize = latest?.tree_size ?? 0;
      if (size <= signedSize) return;
      const age = latest ? this.deps.now() - Date.parse(latest.timestamp) : Infinity;
      if (size - signedSize >= this.opts.every || age >= this.opts.intervalMs) await signCheckpointNow(this.deps);
    } catch (err) {
      // A failed signing is retried on the next tick; the ledger itself is untouched.
      this.opts.log?.warn('checkpoint signing failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
