-- bindrail SQL scaffold, SQLite dialect, migration 002: delivery and operations.
-- Callback deliveries and their attempt log, per-tenant webhook secrets, the operator audit log.

-- One row per finished binding whose command asked for a callback. Written in the transaction
-- that finalizes the binding, so a crash can never lose a pending callback.
CREATE TABLE callback_deliveries (
  binding_id       TEXT PRIMARY KEY REFERENCES bindings(binding_id),
  tenant_id        TEXT NOT NULL,
  webhook_id       TEXT NOT NULL UNIQUE,    -- msg_…: the same on every try, so receivers can de-duplicate
  url              TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending','delivered','failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,  -- every try ever made, across redeliveries
  round_attempts   INTEGER NOT NULL DEFAULT 0,  -- tries since the last (re)queue: indexes the backoff schedule
  next_attempt_at  INTEGER,                     -- due time while pending
  lease_owner      TEXT,                        -- the process sending it now; nobody else sends the same try
  lease_expires_at INTEGER,
  payload          TEXT NOT NULL,               -- the exact body sent (and signed) on every try
  last_status      INTEGER,
  last_error       TEXT,
  delivered_at     INTEGER,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX callback_deliveries_tenant ON callback_deliveries (tenant_id, state, updated_at);

-- Every try: when, what the receiver answered, how long it took, what went wrong.
CREATE TABLE callback_attempts (
  binding_id   TEXT NOT NULL REFERENCES callback_deliveries(binding_id),
  attempt      INTEGER NOT NULL,
  tenant_id    TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  status_code  INTEGER,
  latency_ms   INTEGER NOT NULL,
  error        TEXT,
  outcome      TEXT NOT NULL CHECK (outcome IN ('delivered','retry','failed')),
  PRIMARY KEY (binding_id, attempt)
) WITHOUT ROWID;

-- Standard Webhooks signing secrets (whsec_…), one current per tenant; after a rotation the
-- previous one keeps signing until previous_expires_at.
CREATE TABLE webhook_secrets (
  tenant_id            TEXT PRIMARY KEY REFERENCES tenants(tenant_id),
  secret               TEXT NOT NULL,
  previous_secret      TEXT,
  previous_expires_at  INTEGER,
  created_at           INTEGER NOT NULL,
  rotated_at           INTEGER
);

-- Operator actions: who (API key id), what, on which target, when.
CREATE TABLE audit_log (
  audit_id   INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id  TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  detail     TEXT NOT NULL,     -- JSON object
  at         INTEGER NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, audit_id);

-- The queue monitor's throughput over the last minute reads recent completions by time.
CREATE INDEX bindings_finished ON bindings (finished_at) WHERE finished_at IS NOT NULL;
