/** The embedded store: SQLite in WAL mode, one write connection (serialised) and one read connection. */
import { MerkleFrontier } from '../../proof/merkle.js';
import { Batcher, type BatchResult } from '../batcher.js';
import type { Store, StoreTx } from '../store.js';
import type { BindingRow } from '../types.js';
import * as admin from './admin.js';
import * as audit from './audit.js';
import * as bindings from './bindings.js';
import * as callbacks from './callbacks.js';
import * as events from './events.js';
import * as exceptions from './exceptions.js';
import * as ledger from './ledger.js';
import { migrateSqlite } from './migrate.js';
import { openSqlite, statementCache, type Db, type Prepare } from './open.js';
import * as queueMonitor from './queue-monitor.js';
import * as results from './results.js';
import * as remoteTools from './remote-tools.js';
import { WalSync } from './wal-sync.js';
import * as webhookSecrets from './webhook-secrets.js';
import * as workOrders from './work-orders.js';

/** A job's answer and the number of the commit that carried it. */
interface Committed {
  value: unknown;
  commit: number;
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly #writeDb: Db;
  readonly #readDb: Db;
  readonly #w: Prepare;
  readonly #r: Prepare;
  /** Group commit: write() calls gathered while a commit runs, flushed as one transaction. */
  readonly #group = new Batcher<(tx: StoreTx) => Promise<unknown>, Committed>((jobs) => this.#commit(jobs), Number.POSITIVE_INFINITY);
  readonly #sync: WalSync;
  #closed = false;
  /** Commits, the write() calls they carried and the WAL syncs that made them durable. */
  readonly stats: { commits: number; jobs: number; readonly syncs: number };
  /** Right edge of the Merkle tree, cached between transactions; dropped on rollback. */
  #frontier: MerkleFrontier | undefined;
  readonly #tx: StoreTx;
  /**
   * Rows read by lockBindings in the running job, each handed out once by lockBinding instead of
   * being read again; a write to the row drops it, and every job starts with none.
   */
  readonly #prefetched = new Map<string, BindingRow>();

  constructor(readonly path: string) {
    this.#writeDb = openSqlite(path);
    const sync = (this.#sync = new WalSync(path));
    this.stats = {
      commits: 0,
      jobs: 0,
      get syncs() {
        return sync.syncs;
      },
    };
    migrateSqlite(this.#writeDb);
    this.#readDb = openSqlite(path);
    this.#w = statementCache(this.#writeDb);
    this.#r = statementCache(this.#readDb);
    this.#tx = this.#makeTx();
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.#writeDb);
  }

  /**
   * Group commit at the store: every write() that arrives while a commit is running joins the
   * next transaction, each in its own SAVEPOINT (one caller's error rolls back only its own
   * writes), and one COMMIT carries them all. Callers resolve once their COMMIT is on disk: the
   * WAL is synced off the event loop (WalSync), one sync for every commit made before it began.
   */
  async write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('the store is closed');
    if (this.#sync.failure) throw this.#sync.failure;
    const { value, commit } = await this.#group.add(fn);
    await this.#sync.durable(commit);
    return value as T;
  }

  /** One transaction for the group, a SAVEPOINT per job; any error of COMMIT itself fails them all (the Batcher's catch). */
  async #commit(jobs: ((tx: StoreTx) => Promise<unknown>)[]): Promise<BatchResult<Committed>[]> {
    const outcomes: BatchResult<unknown>[] = [];
    const db = this.#writeDb;
    try {
      this.#w('BEGIN IMMEDIATE').run();
      for (const job of jobs) {
        const frontier = this.#frontier && new MerkleFrontier(this.#frontier.size, this.#frontier.frontierHashes());
        this.#w('SAVEPOINT job').run();
        this.#prefetched.clear();
        try {
          outcomes.push({ ok: true, value: await job(this.#tx) });
          this.#w('RELEASE job').run();
        } catch (error) {
          db.exec('ROLLBACK TO job');
          db.exec('RELEASE job');
          this.#frontier = frontier;
          outcomes.push({ ok: false, error });
        }
      }
      // Prepared once: exec() would parse each of these statements on every transaction.
      this.#w('COMMIT').run();
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of this group was written.
      if (db.inTransaction) db.exec('ROLLBACK');
      this.#frontier = undefined;
      throw error;
    }
    const commit = this.#sync.committed();
    this.stats.commits++;
    this.stats.jobs += jobs.length;
    return outcomes.map((o) => (o.ok ? { ok: true, value: { value: o.value, commit } } : o));
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Let queued writes finish, and their commits reach the disk, first.
    await this.#group.whenIdle();
    await this.#sync.settled().catch(() => undefined);
    this.#sync.close();
    this.#readDb.close();
    this.#writeDb.close();
  }

  /** The raw write connection, for tests that tamper with rows and for `ledger verify`. */
  get database(): Db {
    return this.#writeDb;
  }

  #makeTx(): StoreTx {
    const w = this.#w;
    return {
      ensureTenant: async (id, name, now) => admin.ensureTenant(w, id, name, now),
      findWorkOrderByKey: async (tenant, key) => workOrders.findWorkOrderByKey(w, tenant, key),
      insertWorkOrder: async (row) => workOrders.insertWorkOrder(w, row),
      insertBinding: async (row) => bindings.insertBinding(w, row),
      insertCommand: async (row) => workOrders.insertCommand(w, row),
      getCommand: async (id) => workOrders.getCommandOf(w, id),
      lockBinding: async (id) => {
        const row = this.#prefetched.get(id);
        if (!row) return bindings.lockBinding(w, id);
        this.#prefetched.delete(id);
        return row;
      },
      lockBindings: async (ids) => {
        const rows = bindings.lockBindings(w, ids);
        for (const row of rows) this.#prefetched.set(row.binding_id, { ...row });
        return rows;
      },
      updateBinding: async (id, patch) => {
        this.#prefetched.delete(id);
        return bindings.updateBinding(w, id, patch);
      },
      appendEvents: async (drafts) => events.appendEvents(w, drafts),
      appendLedger: async (drafts) => {
        this.#frontier ??= await ledger.loadFrontier(w);
        return ledger.appendLedger(w, this.#frontier, drafts);
      },
      insertReceipts: async (rows) => results.insertReceipts(w, rows),
      insertResult: async (row) => results.insertResult(w, row),
      insertAttestation: async (row) => results.insertAttestation(w, row),
      insertException: async (row) => exceptions.insertException(w, row),
      resolveException: async (id, by, now) => exceptions.resolveException(w, id, by, now),
      openExceptionFor: async (id) => exceptions.openExceptionFor(w, id),
      claim: async (req, mint) => {
        const claimed = bindings.claim(w, req, mint);
        for (const c of claimed) this.#prefetched.delete(c.row.binding_id);
        return claimed;
      },
      expiredLeases: async (now, limit) => bindings.expiredLeases(w, now, limit),
      dueRetries: async (now, limit) => bindings.dueRetries(w, now, limit),
      pastDeadline: async (now, limit) => bindings.pastDeadline(w, now, limit),
      leasedBy: async (owner, limit) => bindings.leasedBy(w, owner, limit),
      insertCheckpoint: async (row) => ledger.insertCheckpoint(w, row),
      upsertSigningKey: async (row) => ledger.upsertSigningKey(w, row),
      insertApiKey: async (row) => admin.insertApiKey(w, row),
      countApiKeys: async () => admin.countApiKeys(w),
      insertTenant: async (row) => admin.insertTenant(w, row),
      revokeApiKey: async (id, now) => admin.revokeApiKey(w, id, now),
      setSwitch: async (name, value, now) => admin.setSwitch(w, name, value, now),
      getSwitch: async (name) => admin.getSwitch(w, name),
      insertCallbackDelivery: async (row) => callbacks.insertCallbackDelivery(w, row),
      claimCallbackDeliveries: async (req) => callbacks.claimCallbackDeliveries(w, req),
      releaseCallbackLeases: async (owner) => callbacks.releaseCallbackLeases(w, owner),
      lockCallbackDelivery: async (id) => callbacks.lockCallbackDelivery(w, id),
      updateCallbackDelivery: async (id, patch) => callbacks.updateCallbackDelivery(w, id, patch),
      insertCallbackAttempts: async (rows) => callbacks.insertCallbackAttempts(w, rows),
      setResultCallback: async (id, cb) => callbacks.setResultCallback(w, id, cb),
      getWebhookSecret: async (t) => webhookSecrets.getWebhookSecret(w, t),
      upsertWebhookSecret: async (row) => webhookSecrets.upsertWebhookSecret(w, row),
      insertAudit: async (row) => audit.insertAudit(w, row),
      upsertRemoteTool: async (row) => remoteTools.upsertRemoteTool(w, row),
      deleteRemoteTool: async (name) => remoteTools.deleteRemoteTool(w, name),
    };
  }

  // Reads: the read connection sees only committed transactions (WAL snapshot).
  getWorkOrder = async (t: string, id: string) => workOrders.getWorkOrder(this.#r, t, id);
  getBinding = async (t: string, id: string) => bindings.getBinding(this.#r, t, id);
  listBindings = async (t: string, f: Parameters<Store['listBindings']>[1]) => bindings.listBindings(this.#r, t, f);
  getCommand = async (t: string, id: string) => workOrders.getCommand(this.#r, t, id);
  getResult = async (t: string, id: string) => results.getResult(this.#r, t, id);
  listEvents = async (t: string, o: Parameters<Store['listEvents']>[1]) => events.listEvents(this.#r, t, o);
  listReceipts = async (t: string, id: string) => results.listReceipts(this.#r, t, id);
  getReceipt = async (t: string, id: string) => results.getReceipt(this.#r, t, id);
  getAttestation = async (t: string, id: string) => results.getAttestation(this.#r, t, id);
  getException = async (t: string, id: string) => exceptions.getException(this.#r, t, id);
  listExceptions = async (t: string, o: Parameters<Store['listExceptions']>[1]) => exceptions.listExceptions(this.#r, t, o);
  getLedgerEntry = async (seq: number) => ledger.getLedgerEntry(this.#r, seq);
  findLedgerEntry = async (id: string, kind: string) => ledger.findLedgerEntry(this.#r, id, kind);
  listLedgerEntries = async (o: Parameters<Store['listLedgerEntries']>[0]) => ledger.listLedgerEntries(this.#r, o);
  ledgerSize = async () => ledger.ledgerSize(this.#r);
  ledgerNodes = async (coords: Parameters<Store['ledgerNodes']>[0]) => ledger.ledgerNodes(this.#r, coords);
  latestCheckpoint = async () => ledger.latestCheckpoint(this.#r);
  listCheckpoints = async (o: Parameters<Store['listCheckpoints']>[0]) => ledger.listCheckpoints(this.#r, o);
  listSigningKeys = async () => ledger.listSigningKeys(this.#r);
  queueCounts = async (t?: string) => bindings.queueCounts(this.#r, t);
  findApiKeyByHash = async (h: string) => admin.findApiKeyByHash(this.#r, h);
  getTenant = async (t: string) => admin.getTenant(this.#r, t);
  listTenants = async (o: Parameters<Store['listTenants']>[0]) => admin.listTenants(this.#r, o);
  getApiKey = async (id: string) => admin.getApiKey(this.#r, id);
  listApiKeys = async (o: Parameters<Store['listApiKeys']>[0]) => admin.listApiKeys(this.#r, o);
  getSwitch = async (name: string) => admin.getSwitch(this.#r, name);
  getCallbackDelivery = async (t: string, id: string) => callbacks.getCallbackDelivery(this.#r, t, id);
  listCallbackAttempts = async (t: string, id: string) => callbacks.listCallbackAttempts(this.#r, t, id);
  listCallbackDeliveries = async (t: string, o: Parameters<Store['listCallbackDeliveries']>[1]) => callbacks.listCallbackDeliveries(this.#r, t, o);
  callbackCounts = async (t?: string) => callbacks.callbackCounts(this.#r, t);
  getWebhookSecret = async (t: string) => webhookSecrets.getWebhookSecret(this.#r, t);
  listAudit = async (t: string | undefined, o: Parameters<Store['listAudit']>[1]) => audit.listAudit(this.#r, t, o);
  leaseHolders = async (t?: string) => queueMonitor.leaseHolders(this.#r, t);
  oldestQueued = async (t?: string) => queueMonitor.oldestQueued(this.#r, t);
  completionsSince = async (t: string | undefined, since: number) => queueMonitor.completionsSince(this.#r, t, since);
  stuckCandidates = async (t: string, o: Parameters<Store['stuckCandidates']>[1]) => queueMonitor.stuckCandidates(this.#r, t, o);
  listRemoteTools = async () => remoteTools.listRemoteTools(this.#r);
}
