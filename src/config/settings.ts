/**
 * Every server setting, declared once: its flag, its BINDRAIL_* twin, its default and what it
 * does. `bindrail serve --help` and the README list this table.
 */
export interface Setting {
  key: keyof Config;
  flag: string;
  env: string;
  kind: 'string' | 'int' | 'bool' | 'durations';
  default: string;
  help: string;
}

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  store: string;
  role: 'all' | 'api' | 'worker';
  concurrency: number;
  pollMs: number;
  reaperIntervalMs: number;
  shutdownGraceMs: number;
  maxBatch: number;
  bodyLimit: number;
  rateLimit: number;
  logLevel: string;
  allowPrivateCallbacks: boolean;
  callbackBackoff: number[];
  callbackTimeoutMs: number;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  adminKey: string;
  origin: string;
  tools: string;
}

export const SETTINGS: Setting[] = [
  { key: 'dataDir', flag: '--data-dir', env: 'BINDRAIL_DATA_DIR', kind: 'string', default: './.bindrail', help: 'where the SQLite store, keys and the admin key live' },
  { key: 'host', flag: '--host', env: 'BINDRAIL_HOST', kind: 'string', default: '127.0.0.1', help: 'address to listen on' },
  { key: 'port', flag: '--port', env: 'BINDRAIL_PORT', kind: 'int', default: '8080', help: 'port to listen on (0 = any free port)' },
  { key: 'store', flag: '--store', env: 'BINDRAIL_STORE', kind: 'string', default: 'sqlite', help: "'sqlite' (DATA_DIR/rail.db), a .db path, or postgres://…" },
  { key: 'role', flag: '--role', env: 'BINDRAIL_ROLE', kind: 'string', default: 'all', help: 'api | worker | all' },
  { key: 'concurrency', flag: '--concurrency', env: 'BINDRAIL_CONCURRENCY', kind: 'int', default: '64', help: 'tasks run at once by this process' },
  { key: 'pollMs', flag: '--poll-ms', env: 'BINDRAIL_POLL_MS', kind: 'int', default: '250', help: 'longest idle sleep of a worker between claims' },
  { key: 'reaperIntervalMs', flag: '--reaper-interval-ms', env: 'BINDRAIL_REAPER_INTERVAL_MS', kind: 'int', default: '1000', help: 'how often expired leases and due retries are swept' },
  { key: 'shutdownGraceMs', flag: '--shutdown-grace-ms', env: 'BINDRAIL_SHUTDOWN_GRACE_MS', kind: 'int', default: '10000', help: 'on SIGTERM, how long running tasks may finish before their leases are given back' },
  { key: 'maxBatch', flag: '--max-batch', env: 'BINDRAIL_MAX_BATCH', kind: 'int', default: '512', help: 'most items one group-commit transaction carries' },
  { key: 'bodyLimit', flag: '--body-limit', env: 'BINDRAIL_BODY_LIMIT', kind: 'int', default: '1048576', help: 'largest request body in bytes' },
  { key: 'rateLimit', flag: '--rate-limit', env: 'BINDRAIL_RATE_LIMIT', kind: 'int', default: '120000', help: 'requests per minute per API key (per client address without one), per process; 0 = off' },
  { key: 'logLevel', flag: '--log-level', env: 'BINDRAIL_LOG_LEVEL', kind: 'string', default: 'info', help: 'pino level: fatal…trace, or silent' },
  { key: 'allowPrivateCallbacks', flag: '--allow-private-callbacks', env: 'BINDRAIL_ALLOW_PRIVATE_CALLBACKS', kind: 'bool', default: 'false', help: 'let callbacks and remote tools reach loopback/private addresses' },
  { key: 'callbackBackoff', flag: '--callback-backoff', env: 'BINDRAIL_CALLBACK_BACKOFF', kind: 'durations', default: '1s,5s,30s,2m,10m,1h', help: 'callback retry schedule (plain numbers are ms)' },
  { key: 'callbackTimeoutMs', flag: '--callback-timeout-ms', env: 'BINDRAIL_CALLBACK_TIMEOUT_MS', kind: 'int', default: '10000', help: 'how long one callback try may take' },
  { key: 'checkpointEvery', flag: '--checkpoint-every', env: 'BINDRAIL_CHECKPOINT_EVERY', kind: 'int', default: '1000', help: 'sign a ledger checkpoint at least every N leaves' },
  { key: 'checkpointIntervalMs', flag: '--checkpoint-interval-ms', env: 'BINDRAIL_CHECKPOINT_INTERVAL_MS', kind: 'int', default: '5000', help: '…and at least every T ms while leaves arrive' },
  { key: 'adminKey', flag: '--admin-key', env: 'BINDRAIL_ADMIN_KEY', kind: 'string', default: '', help: 'on first start: use this value as the admin API key' },
  { key: 'tools', flag: '--tools', env: 'BINDRAIL_TOOLS', kind: 'string', default: '', help: 'comma-separated modules whose exported defineTool() tools run in this process too' },
  { key: 'origin', flag: '--origin', env: 'BINDRAIL_ORIGIN', kind: 'string', default: 'bindrail.local/ledger', help: 'the ledger origin line of signed checkpoints' },
];
