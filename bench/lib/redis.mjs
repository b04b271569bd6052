/** The local Redis: one database index of its own, flushed before each run. */
import { Redis } from 'ioredis';

export const REDIS = {
  host: process.env.BENCH_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_REDIS_PORT ?? 6379),
  // Not 0: other programs on this machine may use the default database.
  db: Number(process.env.BENCH_REDIS_DB ?? 13),
};
if (!['127.0.0.1', 'localhost', '::1'].includes(REDIS.host)) throw new Error('BENCH_REDIS_HOST must be a loopback address');

/** Empties the benchmark's database and returns the redis-server pid (for its CPU). */
export async function flushAndFindServer() {
  const redis = new Redis({ ...REDIS, lazyConnect: true });
  await redis.connect();
  try {
    await redis.flushdb();
    const info = await redis.info('server');
    return Number(/process_id:(\d+)/.exec(info)[1]);
  } finally {
    redis.disconnect();
  }
}
