/**
 * One PostgreSQL transaction as a StoreTx, built to spend few round trips: node-postgres sends one
 * statement per round trip, so the count of statements is the cost. Three habits keep it low:
 *  - BEGIN travels with the first statement, in one simple query (its parameters written as
 *    literals: inline-params.ts);
 *  - inserts, and changes to rows this transaction holds, wait in the write-behind and go out as
 *    one statement (write-behind.ts), riding along with the events INSERT or sent before COMMIT;
 *  - rows it holds and commands it has seen are answered from held-rows.ts, not read again.
 * Statements that could read what the write-behind still holds send it first (`sql`); the hot
 * path's own statements, which provably cannot, go as they are (`raw`) — each says why.
 */
import type pg from 'pg';
import type { MerkleFrontier } from '../../proof/merkle.js';
import type { StoreTx } from '../store.js';
import type { BindingRow } from '../types.js';
import * as admin from './admin.js';
import * as audit from './audit.js';
import * as bindings from './bindings.js';
import * as callbacks from './callbacks.js';
import * as events from './events.js';
import * as exceptions from './exceptions.js';
import { HeldRows } from './held-rows.js';
import { inlineParams } from './inline-params.js';
import { leasePatch } from '../lease.js';
import * as ledger from './ledger.js';
import type { Sql } from './open.js';
import * as remoteTools from './remote-tools.js';
import * as results from './results.js';
import * as webhookSecrets from './webhook-secrets.js';
import * as workOrders from './work-orders.js';
import { WriteBehind } from './write-behind.js';

/**
 * Queued rows worth a round trip of their own before the ledger lock is taken. Writing a row costs
 * PostgreSQL some 20–30 µs, a round trip 0.3–1 ms: below this, the rows ride with the events INSERT.
 */
const FLUSH_BEFORE_LEDGER_LOCK = 32;

export class PgTransaction {
  /** BEGIN has been sent: there is a transaction to commit or roll back. */
  begun = false;
  /** The tree as this transaction extends it; set once it holds the ledger lock. */
  frontier: MerkleFrontier | undefined;
  /** It queued work: send one NOTIFY with the commit. */
  madeWorkRunnable = false;
  /** It appended events: tell event streams in other processes. */
  appendedEvents = false;
  readonly #pending = new WriteBehind();
  readonly #held = new HeldRows();

  /** Statements as they are; BEGIN goes first, with the first of them. */
  readonly raw: Sql = {
    query: async (text: string, values?: unknown[]) => {
      if (this.begun) return this.client.query(text, values);
      this.begun = true;
      const simple = values && values.length > 0 ? inlineParams(text, values) : text;
      if (simple === undefined) {
        await this.client.query('BEGIN');
        return this.client.query(text, values);
      }
      const answers = (await this.client.query(`BEGIN; ${simple}`)) as unknown as pg.QueryResult[];
      const rest = answers.slice(1);
      return (rest.length === 1 ? rest[0] : rest) as pg.QueryResult;
    },
  } as Sql;

  /** Statements that may read or lock what the write-behind holds: it is sent first. */
  readonly sql: Sql = {
    query: async (text: string, values?: unknown[]) => {
      await this.flush();
      return this.raw.query(text, values);
    },
  } as Sql;

  constructor(
    private readonly client: pg.PoolClient,
    /** Takes the ledger lock and answers the committed tree. */
    private readonly lockedFrontier: (sql: Sql) => Promise<MerkleFrontier>,
  ) {}

  /** Sends what the write-behind holds, if anything: a rejected statement rejects the transaction. */
  async flush(): Promise<void> {
    const statement = this.#pending.statement();
    if (statement) await this.raw.query(statement.text, statement.values);
  }

  tx(): StoreTx {
    const { raw, sql } = this;
    const pending = this.#pending;
    const held = this.#held;
    // Rows that reference a binding are queued only when this transaction holds it: their
    // foreign-key check then waits for nobody, even after the events lock (see events.ts).
    const queueIfHeld = async (bindingId: string, queue: () => void, now: () => Promise<void>) => {
      if (held.holds(bindingId)) queue();
      else await now();
    };
    const lockedRows = (found: bindings.LockedRow[]) => {
      for (const { row, command } of found) {
        held.hold(row);
        if (command) held.keepCommand(command);
      }
    };
    const holdAll = (rows: BindingRow[]) => {
      for (const row of rows) held.hold(row);
      return rows;
    };
    return {
      ensureTenant: (id, name, now) => admin.ensureTenant(sql, id, name, now),
      findWorkOrderByKey: async (tenant, key) => {
        const mine = held.findKeyed(tenant, key);
        if (mine) return mine;
        // Queued bindings matter only if they belong to a work order inserted before this
        // transaction; those of work orders inserted here are answered above.
        const stale = pending.holds(bindings.BINDINGS, (b) => !held.insertedHere(b.work_order_id as string));
        return workOrders.findWorkOrderByKey(stale ? sql : raw, tenant, key);
      },
      insertWorkOrder: async (row) => {
        // A key's ON CONFLICT answer must be exact, between processes too: keyed rows go at once.
        // Queued rows are all unkeyed, so they cannot be what this one conflicts with.
        if (row.idempotency_key !== null) {
          const inserted = await workOrders.insertWorkOrder(raw, row);
          if (inserted) held.insertedWorkOrder(row);
          return inserted;
        }
        pending.insert(workOrders.WORK_ORDERS, row);
        held.insertedWorkOrder(row);
        return true;
      },
      insertBinding: async (row) => {
        // A replay references another binding that someone else may hold locked: insert it now,
        // so that wait (if any) comes before this transaction takes the events lock.
        if (row.replay_of !== null) await bindings.insertBinding(sql, row);
        else pending.insert(bindings.BINDINGS, { ...row, event_seq: 0 });
        held.hold(row);
        if (row.state === 'queued') this.madeWorkRunnable = true;
      },
      insertCommand: async (row) => {
        await queueIfHeld(row.binding_id, () => pending.insert(workOrders.COMMANDS, row), () => workOrders.insertCommand(sql, row));
        held.keepCommand(row);
      },
      // Queued commands are all held, so one not held here is not queued either: read it as it is.
      getCommand: async (id) => {
        const kept = held.command(id);
        if (kept) return kept;
        const found = await workOrders.getCommandOf(raw, id);
        if (found) held.keepCommand(found);
        return found;
      },
      // A binding not held has no queued change: lock and read it as it is.
      lockBinding: async (id) => {
        const kept = held.binding(id);
        if (kept) return kept;
        const found = await bindings.lockBinding(raw, id);
        if (found) held.hold(found);
        return found;
      },
      // Bindings not held have no queued change; held ones are answered as they are here.
      lockBindings: async (ids, opts) => {
        lockedRows(await bindings.lockBindings(raw, ids.filter((id) => !held.holds(id)), opts?.commands ?? false));
        return [...new Set(ids)].sort().flatMap((id) => held.binding(id) ?? []);
      },
      updateBinding: async (id, patch) => {
        if (Object.keys(patch).length === 0) return;
        bindings.assertPatchable(patch);
        if (held.holds(id)) {
          held.change(id, patch);
          pending.change(bindings.BINDINGS, id, patch);
        } else {
          await bindings.updateBinding(sql, id, patch);
        }
        if (patch.state === 'queued') this.madeWorkRunnable = true;
      },
      // Bindings not held have no queued change; the INSERT carries the queue (events.ts).
      appendEvents: async (drafts) => {
        if (drafts.length > 0) this.appendedEvents = true;
        return events.appendEvents(raw, drafts, {
          heldSeq: (id) => held.eventSeq(id),
          setHeldSeq: (id, seq) => {
            held.setEventSeq(id, seq);
            pending.change(bindings.BINDINGS, id, { event_seq: seq });
          },
          drain: (values, opts) => pending.drain(values, opts),
        });
      },
      // Queued leaves exist only once the lock is held, and then nothing is read again.
      appendLedger: async (drafts) => {
        if (drafts.length === 0) return [];
        if (!this.frontier) {
          // Every append of every process waits while the ledger lock is held: a big batch's queued
          // writes (an intake's work orders, bindings and commands) go before it is taken.
          if (pending.size >= FLUSH_BEFORE_LEDGER_LOCK) await this.flush();
          this.frontier = await this.lockedFrontier(raw);
        }
        return ledger.appendLedger(pending, this.frontier, drafts);
      },
      insertReceipts: async (rows) => {
        for (const r of rows) pending.insert(results.RECEIPTS, results.receiptColumns(r));
      },
      insertResult: (row) => queueIfHeld(row.binding_id, () => pending.insert(results.RESULTS, row), () => results.insertResult(sql, row)),
      insertAttestation: async (row) => pending.insert(results.ATTESTATIONS, row),
      insertException: async (row) => pending.insert(exceptions.EXCEPTIONS, row),
      resolveException: (id, by, now) => exceptions.resolveException(sql, id, by, now),
      openExceptionFor: (id) => exceptions.openExceptionFor(sql, id),
      claim: async (req, mint) => {
        const picked = await bindings.pickRunnable(sql, req);
        lockedRows(picked);
        return picked.map(({ row }) => {
          const minted = mint(row.binding_id, row.attempt + 1);
          const patch = leasePatch(row, req, minted);
          held.change(row.binding_id, patch);
          pending.change(bindings.BINDINGS, row.binding_id, patch);
          return { row: held.binding(row.binding_id)!, token: minted.token };
        });
      },
      expiredLeases: async (now, limit) => holdAll(await bindings.expiredLeases(sql, now, limit)),
      dueRetries: async (now, limit) => holdAll(await bindings.dueRetries(sql, now, limit)),
      pastDeadline: async (now, limit) => holdAll(await bindings.pastDeadline(sql, now, limit)),
      leasedBy: async (owner, limit) => holdAll(await bindings.leasedBy(sql, owner, limit)),
      insertCheckpoint: (row) => ledger.insertCheckpoint(sql, row),
      upsertSigningKey: (row) => ledger.upsertSigningKey(sql, row),
      insertApiKey: (row) => admin.insertApiKey(sql, row),
      countApiKeys: () => admin.countApiKeys(sql),
      insertTenant: (row) => admin.insertTenant(sql, row),
      revokeApiKey: (id, now) => admin.revokeApiKey(sql, id, now),
      setSwitch: (name, value, now) => admin.setSwitch(sql, name, value, now),
      getSwitch: (name) => admin.getSwitch(sql, name),
      insertCallbackDelivery: (row) =>
        queueIfHeld(row.binding_id, () => pending.insert(callbacks.CALLBACK_DELIVERIES, row), () => callbacks.insertCallbackDelivery(sql, row)),
      claimCallbackDeliveries: (req) => callbacks.claimCallbackDeliveries(sql, req),
      releaseCallbackLeases: (owner) => callbacks.releaseCallbackLeases(sql, owner),
      lockCallbackDelivery: (id) => callbacks.lockCallbackDelivery(sql, id),
      updateCallbackDelivery: (id, patch) => callbacks.updateCallbackDelivery(sql, id, patch),
      insertCallbackAttempts: (rows) => callbacks.insertCallbackAttempts(sql, rows),
      setResultCallback: (id, cb) => callbacks.setResultCallback(sql, id, cb),
      getWebhookSecret: (t) => webhookSecrets.getWebhookSecret(sql, t),
      upsertWebhookSecret: (row) => webhookSecrets.upsertWebhookSecret(sql, row),
      insertAudit: (row) => audit.insertAudit(sql, row),
      upsertRemoteTool: (row) => remoteTools.upsertRemoteTool(sql, row),
      deleteRemoteTool: (name) => remoteTools.deleteRemoteTool(sql, name),
    };
  }
}
