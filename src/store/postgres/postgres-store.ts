/**
 * The shared store: PostgreSQL through a pg pool. Many `bindrail serve` processes on many machines
 * share one database: claims skip each other's locked rows, ledger and event appends serialise on
 * advisory transaction locks, and NOTIFY wakes idle workers in every process.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { MerkleFrontier } from '../../proof/merkle.js';
import type { Store, StoreTx } from '../store.js';
import * as admin from './admin.js';
import * as audit from './audit.js';
import * as bindings from './bindings.js';
import * as callbacks from './callbacks.js';
import * as events from './events.js';
import * as exceptions from './exceptions.js';
import * as ledger from './ledger.js';
import { migratePostgres } from './migrate.js';
import { endPool, logToStderr, openPool, type ErrorLog, type Sql } from './open.js';
import * as queueMonitor from './queue-monitor.js';
import * as results from './results.js';
import * as remoteTools from './remote-tools.js';
import { PgTransaction } from './transaction.js';
import { asUnavailable, guardedReads } from './unavailable.js';
import { EVENTS_CHANNEL, WORK_CHANNEL, WorkListener } from './wake.js';
import * as webhookSecrets from './webhook-secrets.js';
import * as workOrders from './work-orders.js';

export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  /** The pool for reads: a lost connection answers `unavailable`. */
  readonly #reads: Sql;
  readonly #listener: WorkListener;
  /** Names this store in its notices, so its listener can pass over them (wake.ts). */
  readonly #origin = randomUUID();
  /**
   * The tree as of this process's last committed append. Only a hint: another process may have
   * appended since, so each use is checked against the stored size under the ledger lock.
   */
  #frontier: MerkleFrontier | undefined;

  private constructor(url: string, log: ErrorLog) {
    this.#pool = openPool(url, log);
    this.#reads = guardedReads(this.#pool);
    this.#listener = new WorkListener(url, log, this.#origin);
  }

  /** Opens a pool on `url` and applies pending migrations. */
  static async connect(url: string, opts: { log?: ErrorLog } = {}): Promise<PostgresStore> {
    const store = new PostgresStore(url, opts.log ?? logToStderr);
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.#pool);
  }

  /**
   * BEGIN … COMMIT on one pooled client; ROLLBACK if `fn` throws. A lost connection rejects as
   * `unavailable` — at COMMIT its outcome is unknown, which idempotency keys and task-token fencing
   * make safe to retry.
   */
  async write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw asUnavailable(err, 'write');
    }
    let broken: Error | undefined;
    // A checked-out client has no pool listener: without this, a connection dropped between two
    // statements would be an unhandled 'error' event and crash the process.
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    const t = new PgTransaction(client, (sql) => this.#lockedFrontier(sql));
    let committing = false;
    try {
      const result = await fn(t.tx());
      // What the write-behind still holds goes now: its errors reject the write like any statement's.
      await t.flush();
      committing = true;
      // Nothing was sent at all: there is no transaction to commit.
      if (!t.begun) return result;
      // NOTIFY is delivered at commit, so it rides in the COMMIT's round trip.
      const notify = [t.madeWorkRunnable && WORK_CHANNEL, t.appendedEvents && EVENTS_CHANNEL].filter(Boolean).map((c) => `NOTIFY ${c}, '${this.#origin}';`).join(' ');
      await client.query(`${notify} COMMIT`);
      if (t.frontier) this.#frontier = t.frontier;
      // This process's workers wake now, not when the NOTIFY comes back (the listener skips it).
      if (t.madeWorkRunnable) this.#listener.announce(WORK_CHANNEL);
      return result;
    } catch (err) {
      if (!broken && t.begun) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection itself is gone: destroy the client rather than return it to the pool.
          broken = rollbackError as Error;
        }
      }
      throw asUnavailable(err, committing ? 'commit' : 'write');
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * Calls `cb` whenever any process commits runnable work: this one's own commits right after their
   * COMMIT, other processes' by NOTIFY. Returns the unsubscribe.
   */
  onWork(cb: () => void): () => void {
    return this.#listener.add(cb);
  }

  /**
   * Calls `cb` whenever another process (another store) commits events; this one's own reach its
   * callers on the in-process bus. Returns the unsubscribe.
   */
  onEvents(cb: () => void): () => void {
    return this.#listener.add(cb, EVENTS_CHANNEL);
  }

  /** Resolves once the work listener is subscribed (after the first onWork). */
  listening(): Promise<void> {
    return this.#listener.listening();
  }

  async close(): Promise<void> {
    await this.#listener.close();
    await endPool(this.#pool);
  }

  /** The pool, for tests and for `ledger verify`. */
  get pool(): pg.Pool {
    return this.#pool;
  }

  /** Takes the ledger lock and returns the committed tree, from the cache when it is still current. */
  async #lockedFrontier(sql: Sql): Promise<MerkleFrontier> {
    const size = await ledger.lockLedger(sql);
    const cached = this.#frontier;
    // Leaves are never deleted and a rolled-back append never reaches the cache, so a tree of the
    // same size is the same tree.
    if (cached && cached.size === size) return new MerkleFrontier(cached.size, cached.frontierHashes());
    return ledger.loadFrontier(sql, size);
  }

  // Reads: straight from the pool, so they see every committed transaction of every process.
  getWorkOrder = (t: string, id: string) => workOrders.getWorkOrder(this.#reads, t, id);
  getBinding = (t: string, id: string) => bindings.getBinding(this.#reads, t, id);
  listBindings = (t: string, f: Parameters<Store['listBindings']>[1]) => bindings.listBindings(this.#reads, t, f);
  getCommand = (t: string, id: string) => workOrders.getCommand(this.#reads, t, id);
  getResult = (t: string, id: string) => results.getResult(this.#reads, t, id);
  listEvents = (t: string, o: Parameters<Store['listEvents']>[1]) => events.listEvents(this.#reads, t, o);
  listReceipts = (t: string, id: string) => results.listReceipts(this.#reads, t, id);
  getReceipt = (t: string, id: string) => results.getReceipt(this.#reads, t, id);
  getAttestation = (t: string, id: string) => results.getAttestation(this.#reads, t, id);
  getException = (t: string, id: string) => exceptions.getException(this.#reads, t, id);
  listExceptions = (t: string, o: Parameters<Store['listExceptions']>[1]) => exceptions.listExceptions(this.#reads, t, o);
  getLedgerEntry = (seq: number) => ledger.getLedgerEntry(this.#reads, seq);
  findLedgerEntry = (id: string, kind: string) => ledger.findLedgerEntry(this.#reads, id, kind);
  listLedgerEntries = (o: Parameters<Store['listLedgerEntries']>[0]) => ledger.listLedgerEntries(this.#reads, o);
  ledgerSize = () => ledger.ledgerSize(this.#reads);
  ledgerNodes = (coords: Parameters<Store['ledgerNodes']>[0]) => ledger.ledgerNodes(this.#reads, coords);
  latestCheckpoint = () => ledger.latestCheckpoint(this.#reads);
  listCheckpoints = (o: Parameters<Store['listCheckpoints']>[0]) => ledger.listCheckpoints(this.#reads, o);
  listSigningKeys = () => ledger.listSigningKeys(this.#reads);
  queueCounts = (t?: string) => bindings.queueCounts(this.#reads, t);
  findApiKeyByHash = (h: string) => admin.findApiKeyByHash(this.#reads, h);
  getTenant = (t: string) => admin.getTenant(this.#reads, t);
  listTenants = (o: Parameters<Store['listTenants']>[0]) => admin.listTenants(this.#reads, o);
  getApiKey = (id: string) => admin.getApiKey(this.#reads, id);
  listApiKeys = (o: Parameters<Store['listApiKeys']>[0]) => admin.listApiKeys(this.#reads, o);
  getSwitch = (name: string) => admin.getSwitch(this.#reads, name);
  getCallbackDelivery = (t: string, id: string) => callbacks.getCallbackDelivery(this.#reads, t, id);
  listCallbackAttempts = (t: string, id: string) => callbacks.listCallbackAttempts(this.#reads, t, id);
  listCallbackDeliveries = (t: string, o: Parameters<Store['listCallbackDeliveries']>[1]) => callbacks.listCallbackDeliveries(this.#reads, t, o);
  callbackCounts = (t?: string) => callbacks.callbackCounts(this.#reads, t);
  getWebhookSecret = (t: string) => webhookSecrets.getWebhookSecret(this.#reads, t);
  listAudit = (t: string | undefined, o: Parameters<Store['listAudit']>[1]) => audit.listAudit(this.#reads, t, o);
  leaseHolders = (t?: string) => queueMonitor.leaseHolders(this.#reads, t);
  oldestQueued = (t?: string) => queueMonitor.oldestQueued(this.#reads, t);
  completionsSince = (t: string | undefined, since: number) => queueMonitor.completionsSince(this.#reads, t, since);
  stuckCandidates = (t: string, o: Parameters<Store['stuckCandidates']>[1]) => queueMonitor.stuckCandidates(this.#reads, t, o);
  listRemoteTools = () => remoteTools.listRemoteTools(this.#reads);
}
