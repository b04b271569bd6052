-- bindrail SQL scaffold, SQLite dialect, migration 003: remote tools.
-- Tools that run outside the rail (any language) and claim their work over HTTP. Registered with
-- PUT /v1/tools/{name}; every process loads this table into its tool registry.

CREATE TABLE remote_tools (
  tool_name   TEXT PRIMARY KEY,
  manifest    TEXT NOT NULL,           -- JSON: the PUT body, exactly as validated
  updated_at  INTEGER NOT NULL
);
