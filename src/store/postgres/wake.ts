/**
 * LISTEN/NOTIFY wake-ups: a transaction that makes work runnable sends one NOTIFY on commit, and
 * every process listening wakes its workers at once instead of polling the table hot. A notice's
 * payload names the store that sent it; that store hears its own commits at once, from its own
 * write() (`announce`), not a round trip later through the listener's connection.
 */
import pg from 'pg';
import { clientConfig, type ErrorLog } from './open.js';

export const WORK_CHANNEL = 'bindrail_work';
/**
 * Events were committed: event streams in other processes read the store again. The store that
 * committed them does not announce them to itself: its own streams have them from the in-process
 * bus already, and a notice would make every one of them read the store again.
 */
export const EVENTS_CHANNEL = 'bindrail_events';

type Channel = typeof WORK_CHANNEL | typeof EVENTS_CHANNEL;

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * One dedicated connection (LISTEN needs a session of its own, not a pooled client) shared by every
 * callback. It reconnects with backoff after an error and then fires once, because notifications
 * sent while it was away are lost.
 */
export class WorkListener {
  readonly #callbacks = new Set<{ channel: Channel; cb: () => void }>();
  #client: pg.Client | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = FIRST_RETRY_MS;
  #everListened = false;
  #ready: Promise<void> | undefined;
  #resolveReady: (() => void) | undefined;
  #closed = false;

  constructor(
    private readonly url: string,
    private readonly log: ErrorLog,
    /** The payload of this store's own notices, which its listener passes over. */
    private readonly origin?: string,
  ) {}

  /** Calls `cb` after every committed NOTIFY on `channel` (the work channel by default); returns the unsubscribe. */
  add(cb: () => void, channel: Channel = WORK_CHANNEL): () => void {
    if (this.#closed) throw new Error('the work listener is closed');
    const entry = { channel, cb };
    this.#callbacks.add(entry);
    if (!this.#client && !this.#retryTimer) this.#connect();
    return () => {
      this.#callbacks.delete(entry);
      if (this.#callbacks.size === 0) this.#disconnect();
    };
  }

  /**
   * Calls the callbacks of `channel` for a commit of this store's own. Called by write() after its
   * COMMIT: a callback's error is logged, never thrown into a write that has committed.
   */
  announce(channel: Channel): void {
    for (const { channel: c, cb } of this.#callbacks) {
      if (c !== channel) continue;
      try {
        cb();
      } catch (err) {
        this.log(`a ${channel} callback failed`, err);
      }
    }
  }

  /** Resolves once LISTEN is active (notifications committed after this are delivered). */
  listening(): Promise<void> {
    this.#ready ??= new Promise<void>((resolve) => (this.#resolveReady = resolve));
    return this.#ready;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#callbacks.clear();
    await this.#disconnect();
  }

  /** Without a channel: every callback (after a reconnect, when notifications may have been missed). */
  #fire(channel?: string): void {
    for (const { channel: c, cb } of this.#callbacks) if (channel === undefined || c === channel) cb();
  }

  #connect(): void {
    const client = new pg.Client(clientConfig(this.url));
    this.#client = client;
    client.on('notification', (n) => {
      if (this.origin !== undefined && n.payload === this.origin) return;
      if (n.channel === WORK_CHANNEL || n.channel === EVENTS_CHANNEL) this.#fire(n.channel);
    });
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    client
      .connect()
      .then(() => client.query(`LISTEN ${WORK_CHANNEL}; LISTEN ${EVENTS_CHANNEL}`))
      .then(() => {
        if (this.#client !== client) return;
        this.#retryMs = FIRST_RETRY_MS;
        this.#resolveReady?.();
        this.#resolveReady = undefined;
        this.#ready = Promise.resolve();
        if (this.#everListened) this.#fire();
        this.#everListened = true;
      })
      .catch((err: unknown) => this.#lost(client, err));
  }

  #lost(client: pg.Client, err: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    // A caller still waiting keeps waiting for the reconnect; a settled promise is outdated now.
    if (!this.#resolveReady) this.#ready = undefined;
    client.end().catch((endErr: unknown) => this.log('closing a broken listener connection', endErr));
    if (this.#closed || this.#callbacks.size === 0) return;
    this.log(`work listener lost its connection, retrying in ${this.#retryMs} ms`, err);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#closed && this.#callbacks.size > 0 && !this.#client) this.#connect();
    }, this.#retryMs);
    this.#retryTimer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  async #disconnect(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const client = this.#client;
    this.#client = undefined;
    this.#ready = undefined;
    this.#resolveReady = undefined;
    this.#everListened = false;
    if (client) await client.end();
  }
}
