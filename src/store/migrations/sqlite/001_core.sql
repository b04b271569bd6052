-- bindrail SQL scaffold, SQLite dialect, migration 001: the execution binding core.
-- Every table carries tenant_id. Times are epoch milliseconds unless the column is a hashed text.

CREATE TABLE tenants (
  tenant_id   TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

-- The intake: what a client or agent asked for, exactly as accepted.
CREATE TABLE work_orders (
  work_order_id    TEXT PRIMARY KEY,
  tenant_id        TEXT NOT NULL REFERENCES tenants(tenant_id),
  idempotency_key  TEXT,
  digest           TEXT NOT NULL,          -- sha256 of the canonical request (without idempotency_key)
  body             TEXT NOT NULL,          -- the request JSON
  created_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX work_orders_idempotency ON work_orders (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- The Execution Binding: one row per run of a Work Order (a replay is a new row).
CREATE TABLE bindings (
  binding_id            TEXT PRIMARY KEY,
  tenant_id             TEXT NOT NULL REFERENCES tenants(tenant_id),
  work_order_id         TEXT NOT NULL REFERENCES work_orders(work_order_id),
  tool_name             TEXT NOT NULL,
  tool_version          TEXT NOT NULL,
  operation             TEXT NOT NULL,
  routing               TEXT NOT NULL,     -- {rule, reason}
  command_id            TEXT NOT NULL UNIQUE,
  state                 TEXT NOT NULL CHECK (state IN ('queued','leased','retry_wait','succeeded','failed','cancelled')),
  attempt               INTEGER NOT NULL DEFAULT 0,
  max_attempts          INTEGER NOT NULL,
  priority              INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 9),
  heartbeat_timeout_ms  INTEGER NOT NULL,
  run_at                INTEGER NOT NULL,  -- not before
  lease_expires_at      INTEGER,
  lease_owner           TEXT,
  heartbeat_at          INTEGER,
  next_retry_at         INTEGER,
  token_id              TEXT,              -- public id of the current task token
  token_hash            TEXT,              -- sha256 of the current task token; the token is never stored
  progress              TEXT,
  replay_of             TEXT REFERENCES bindings(binding_id),
  cancel_requested      INTEGER NOT NULL DEFAULT 0,
  last_error            TEXT,
  event_seq             INTEGER NOT NULL DEFAULT 0,
  deadline              INTEGER,
  first_leased_at       INTEGER,
  finished_at           INTEGER,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
);
-- The claim reads only runnable rows, highest priority first, oldest first.
CREATE INDEX bindings_runnable ON bindings (priority DESC, run_at, binding_id) WHERE state = 'queued';
CREATE INDEX bindings_lease ON bindings (lease_expires_at) WHERE state = 'leased';
CREATE INDEX bindings_retry ON bindings (next_retry_at) WHERE state = 'retry_wait';
CREATE INDEX bindings_deadline ON bindings (deadline) WHERE deadline IS NOT NULL AND state IN ('queued', 'retry_wait');
CREATE INDEX bindings_tenant ON bindings (tenant_id, binding_id);
CREATE INDEX bindings_work_order ON bindings (work_order_id);
CREATE INDEX bindings_state_tool ON bindings (state, tool_name);

-- The Tool Execution Command sent to the tool.
CREATE TABLE commands (
  command_id  TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  binding_id  TEXT NOT NULL UNIQUE REFERENCES bindings(binding_id),
  digest      TEXT NOT NULL,
  body        TEXT NOT NULL
);

-- Tool Execution Result Events (CloudEvents), written in the transaction of the change they report.
-- gseq: the rowid, monotonic because events are never deleted (no AUTOINCREMENT bookkeeping).
-- event_id is a UUIDv7 and needs no index: nothing looks an event up by it.
CREATE TABLE events (
  gseq        INTEGER PRIMARY KEY,
  event_id    TEXT NOT NULL,
  tenant_id   TEXT NOT NULL,
  binding_id  TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  type        TEXT NOT NULL,
  time        INTEGER NOT NULL,
  data        TEXT NOT NULL,
  UNIQUE (binding_id, seq)
);
CREATE INDEX events_tenant ON events (tenant_id, gseq);

CREATE TABLE results (
  binding_id     TEXT PRIMARY KEY REFERENCES bindings(binding_id),
  tenant_id      TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('succeeded','failed','cancelled')),
  output_digest  TEXT,
  body           TEXT NOT NULL,      -- the result contract
  created_at     INTEGER NOT NULL
);

-- Content-addressed receipts: digest = sha256 of the canonical receipt without its digest.
CREATE TABLE receipts (
  receipt_id  TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  binding_id  TEXT NOT NULL,
  kind        TEXT NOT NULL,
  digest      TEXT NOT NULL,
  body        TEXT NOT NULL,          -- the whole receipt document
  created_at  INTEGER NOT NULL
);
CREATE INDEX receipts_binding ON receipts (binding_id);

-- DSSE envelopes carrying in-toto statements.
CREATE TABLE attestations (
  binding_id  TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  digest      TEXT NOT NULL,
  key_id      TEXT NOT NULL,
  envelope    TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE exceptions (
  exception_id   TEXT PRIMARY KEY,
  tenant_id      TEXT NOT NULL,
  binding_id     TEXT NOT NULL,
  work_order_id  TEXT NOT NULL,
  code           TEXT NOT NULL,
  message        TEXT NOT NULL,
  attempts       INTEGER NOT NULL,
  next_action    TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('open','resolved')),
  resolved_by    TEXT,
  created_at     INTEGER NOT NULL,
  resolved_at    INTEGER
);
CREATE INDEX exceptions_tenant ON exceptions (tenant_id, status, exception_id);
CREATE INDEX exceptions_binding ON exceptions (binding_id);

-- The ledger: RFC 9162 leaves (public by design: digests, never payloads).
CREATE TABLE ledger_leaves (
  seq            INTEGER PRIMARY KEY,   -- 0, 1, 2… without gaps
  tenant_id      TEXT NOT NULL,
  kind           TEXT NOT NULL,
  binding_id     TEXT NOT NULL,
  work_order_id  TEXT NOT NULL,
  digest         TEXT NOT NULL,
  at             TEXT NOT NULL,
  leaf_hash      BLOB NOT NULL
);
CREATE INDEX ledger_binding ON ledger_leaves (binding_id, kind);

-- Complete subtree hashes of level >= 1 (level 0 is ledger_leaves.leaf_hash):
-- node (level, idx) covers leaves [idx·2^level, (idx+1)·2^level). Makes proofs O(log n) reads.
CREATE TABLE ledger_nodes (
  level  INTEGER NOT NULL,
  idx    INTEGER NOT NULL,
  hash   BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  tree_size  INTEGER PRIMARY KEY,
  root_hash  TEXT NOT NULL,
  timestamp  TEXT NOT NULL,
  key_id     TEXT NOT NULL,
  signature  TEXT NOT NULL,
  note       TEXT NOT NULL
);

-- Public keys of every process that ever signed; the private keys stay in each data dir.
CREATE TABLE signing_keys (
  key_id      TEXT PRIMARY KEY,
  algorithm   TEXT NOT NULL,
  public_key  TEXT NOT NULL,           -- base64 raw
  created_at  INTEGER NOT NULL,
  retired_at  INTEGER
);

-- API keys, stored hashed.
CREATE TABLE api_keys (
  key_id      TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(tenant_id),
  key_hash    TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  scopes      TEXT NOT NULL,           -- JSON array
  tools       TEXT,                    -- JSON array: tool:execute limited to these tools
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);

-- Operator switches (paused tools, callback kill switch).
CREATE TABLE switches (
  name        TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);
