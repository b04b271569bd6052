/** Every system the harness knows, by the key `--systems` takes, in the order they run. */
import { bindrailPostgres, bindrailSqlite } from './bindrail.mjs';
import { bullmq } from './bullmq.mjs';
import { graphileWorker } from './graphile-worker.mjs';
import { pgBoss } from './pg-boss.mjs';

export const SYSTEMS = {
  'graphile-worker': graphileWorker,
  'pg-boss': pgBoss,
  bullmq,
  'bindrail-sqlite': bindrailSqlite,
  'bindrail-postgres': bindrailPostgres,
};
