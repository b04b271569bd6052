/**
 * Request budgets per API key (per client address for requests without a valid key), a fixed
 * one-minute window each, kept in this process's memory: N processes behind a balancer allow up to
 * N times the budget. The auth hook calls the limiter once it knows the key, so the budget follows
 * the key id, not the header text (random keys cannot buy fresh budgets).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RailError } from '../contracts/errors.js';
import type { RequestLimiter } from './auth.js';

const WINDOW_MS = 60_000;
/** Budgets remembered at once (least recently used first out). */
const TRACKED = 10_000;

const budgetOf = (request: FastifyRequest) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`);

/** Registers @fastify/rate-limit (no route hooks of its own) and returns the limiter; undefined when `perMinute` is 0 (off). */
export async function rateLimiter(app: FastifyInstance, perMinute: number): Promise<RequestLimiter | undefined> {
  if (perMinute <= 0) return undefined;
  await app.register(rateLimit, { global: false, cache: TRACKED });
  const check = app.createRateLimit({ max: perMinute, timeWindow: WINDOW_MS, keyGenerator: budgetOf });
  return async (request, reply) => {
    const r = await check(request);
    if (r.isAllowed) return;
    reply.header('x-ratelimit-limit', String(r.max)).header('x-ratelimit-remaining', String(r.remaining)).header('x-ratelimit-reset', String(r.ttlInSeconds));
    if (!r.isExceeded) return;
    const who = request.principal ? 'this API key' : 'this address';
    throw new RailError('rate_limited', `${who} has used its ${perMinute} requests for this minute; retry after ${r.ttlInSeconds} s`, undefined, {
      'retry-after': String(r.ttlInSeconds),
    });
  };
}
