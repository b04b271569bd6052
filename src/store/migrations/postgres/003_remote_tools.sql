-- bindrail SQL scaffold, PostgreSQL dialect, migration 003: remote tools.
-- Mirrors migrations/sqlite/003_remote_tools.sql.
-- Tools that run outside the rail (any language) and claim their work over HTTP. Registered with
-- PUT /v1/tools/{name}; every process loads this table into its tool registry.

CREATE TABLE remote_tools (
  tool_name   TEXT PRIMARY KEY,
  manifest    TEXT NOT NULL,           -- JSON text: the PUT body, exactly as validated (text, so every process compares it byte for byte)
  updated_at  BIGINT NOT NULL
);
