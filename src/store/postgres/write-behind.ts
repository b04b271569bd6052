/**
 * PostgreSQL write-behind: what a transaction inserts, and the changes it makes to rows it holds
 * locked, wait here and go out together as ONE statement — an `INSERT … SELECT … FROM unnest(…)`
 * per table and an `UPDATE … FROM unnest(…)` per set of changed columns, joined as data-modifying
 * CTEs. node-postgres sends one statement per round trip and waits for its answer, so a batch that
 * wrote row by row paid a round trip per row; this pays one per batch.
 *
 * Why one statement is safe: the rows are new, or held by this transaction since it read them FOR
 * UPDATE, so no part of it waits for another transaction's row lock; foreign keys are checked at the
 * end of the statement, so the order of the parts inside it does not matter; and each row is touched
 * by one part only (changes to a row inserted here are folded into its INSERT, several changes to a
 * held row into one UPDATE). The store sends the statement before any statement that might read what
 * it holds, and at the latest before COMMIT, so errors reject the transaction as they always did.
 */
import { jsonParam } from './codec.js';

/** How a column travels: as an element of a `$n::<type>[]` array. `bytea` goes as hex text. */
export type ColumnType = 'text' | 'int' | 'bigint' | 'boolean' | 'json' | 'bytea';

export interface TableSpec {
  name: string;
  columns: Readonly<Record<string, ColumnType>>;
  /** The column that names a row, for tables whose held rows may be changed here. */
  key?: string;
}

type Row = Record<string, unknown>;

function param(type: ColumnType, v: unknown): unknown {
  if (v === undefined) return null;
  if (type === 'json') return jsonParam(v);
  if (type === 'bytea' && Buffer.isBuffer(v)) return v.toString('hex');
  return v;
}

const cast = (type: ColumnType) => (type === 'json' ? 'json' : type === 'bytea' ? 'text' : type);
const value = (type: ColumnType, ref: string) => (type === 'bytea' ? `decode(${ref}, 'hex')` : ref);

/** `unnest($1::t1[], $2::t2[], …) AS u(c1, c2, …)` over `rows`, its arrays appended to `values`. */
function unnest(spec: TableSpec, columns: string[], rows: Row[], values: unknown[]): string {
  const arrays = columns.map((c) => {
    const type = spec.columns[c]!;
    values.push(rows.map((r) => param(type, r[c])));
    return `$${values.length}::${cast(type)}[]`;
  });
  return `unnest(${arrays.join(', ')}) AS u(${columns.join(', ')})`;
}

export class WriteBehind {
  readonly #inserts = new Map<TableSpec, Row[]>();
  /** Rows waiting to be inserted, by table and key: later changes are folded into them. */
  readonly #insertedByKey = new Map<TableSpec, Map<string, Row>>();
  /** Changes waiting for held rows, by table and key, merged in the order they were made. */
  readonly #changes = new Map<TableSpec, Map<string, Row>>();

  get empty(): boolean {
    return this.#inserts.size === 0 && this.#changes.size === 0;
  }

  /** Queues `row` (copied) for insertion into `spec`'s table. */
  insert(spec: TableSpec, row: object): void {
    const copy: Row = { ...row };
    let rows = this.#inserts.get(spec);
    if (!rows) this.#inserts.set(spec, (rows = []));
    rows.push(copy);
    if (spec.key) {
      let byKey = this.#insertedByKey.get(spec);
      if (!byKey) this.#insertedByKey.set(spec, (byKey = new Map()));
      byKey.set(String(copy[spec.key]), copy);
    }
  }

  /** Queues a change of the row `key`, which this transaction inserted or holds locked. */
  change(spec: TableSpec, key: string, patch: object): void {
    if (Object.keys(patch).length === 0) return;
    const pending = this.#insertedByKey.get(spec)?.get(key);
    if (pending) {
      Object.assign(pending, patch);
      return;
    }
    let byKey = this.#changes.get(spec);
    if (!byKey) this.#changes.set(spec, (byKey = new Map()));
    byKey.set(key, { ...byKey.get(key), ...patch });
  }

  /** True when a queued row of `spec` matches `test`. */
  holds(spec: TableSpec, test: (row: Row) => boolean): boolean {
    return (this.#inserts.get(spec) ?? []).some(test);
  }

  /** How many rows wait: inserts plus changed rows. */
  get size(): number {
    let n = 0;
    for (const rows of this.#inserts.values()) n += rows.length;
    for (const byKey of this.#changes.values()) n += byKey.size;
    return n;
  }

  /**
   * Everything queued as data-modifying CTEs (`w0 AS (…)`, …), their parameters appended to
   * `values`; the queue is empty afterwards. An empty list when nothing waits. With `returning`,
   * each returns one row per row written, so that a statement can wait for all of them to finish
   * (`cteRows`) before it does something else.
   */
  drain(values: unknown[], opts: { returning?: boolean } = {}): string[] {
    const ctes: string[] = [];
    for (const [spec, rows] of this.#inserts) {
      const columns = Object.keys(spec.columns);
      const source = unnest(spec, columns, rows, values);
      ctes.push(`INSERT INTO ${spec.name} (${columns.join(', ')}) SELECT ${columns.map((c) => value(spec.columns[c]!, `u.${c}`)).join(', ')} FROM ${source}`);
    }
    for (const [spec, byKey] of this.#changes) {
      // One UPDATE per set of changed columns; each row is in exactly one of them.
      const groups = new Map<string, [string, Row][]>();
      for (const [key, patch] of byKey) {
        const cols = Object.keys(patch).sort().join(',');
        let group = groups.get(cols);
        if (!group) groups.set(cols, (group = []));
        group.push([key, patch]);
      }
      for (const [cols, group] of groups) {
        const columns = cols.split(',');
        const keyed = group.map(([key, patch]) => ({ ...patch, [spec.key!]: key }));
        const source = unnest(spec, [spec.key!, ...columns], keyed, values);
        const set = columns.map((c) => `${c} = ${value(spec.columns[c]!, `u.${c}`)}`).join(', ');
        ctes.push(`UPDATE ${spec.name} t SET ${set} FROM ${source} WHERE t.${spec.key} = u.${spec.key}`);
      }
    }
    this.#inserts.clear();
    this.#insertedByKey.clear();
    this.#changes.clear();
    return ctes.map((sql, i) => `w${i} AS (${sql}${opts.returning ? ' RETURNING 1' : ''})`);
  }

  /** Everything queued as one statement, or undefined when nothing waits. */
  statement(): { text: string; values: unknown[] } | undefined {
    if (this.empty) return undefined;
    const values: unknown[] = [];
    const ctes = this.drain(values);
    return { text: `WITH ${ctes.join(', ')} SELECT 1`, values };
  }
}

/**
 * The count of rows the drained CTEs wrote, as an expression: reading it makes PostgreSQL run every
 * one of them to completion first (an unreferenced data-modifying CTE runs only after the rest of
 * the statement). `ctes` are drain()'s answer, drained with `returning`.
 */
export function cteRows(ctes: string[]): string {
  return ctes.length === 0 ? '0' : ctes.map((c) => `(SELECT count(*) FROM ${c.slice(0, c.indexOf(' '))})`).join(' + ');
}
