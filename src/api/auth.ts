/** Bearer API keys: every /v1 route names the scope it needs; public routes say so. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RailError } from '../contracts/errors.js';
import { hashApiKey, hasScope, KEY_RE, principalOf, type Principal, type Scope } from '../rail/api-keys.js';
import type { StoreReader } from '../store/store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs, 'authenticated' (any valid key), or 'public'. Routes without one are refused. */
    scope?: Scope | 'authenticated' | 'public';
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

const CACHE_TTL_MS = 5_000;
const unauthorized = (detail: string) => new RailError('unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' });

/** Counts a request against its budget; throws `rate_limited` when it is spent (see rate-limit.ts). */
export type RequestLimiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface AuthCache {
  /** Drops the cached principal of `keyId` (every key when absent), so a revocation holds at once in this process. */
  forget(keyId?: string): void;
}

/** The key of `Authorization: Bearer br_…`, or undefined when the header is absent or malformed. */
function bearerKey(request: FastifyRequest): string | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return m && KEY_RE.test(m[1]!) ? m[1] : undefined;
}

export function installAuth(app: FastifyInstance, store: StoreReader, now: () => number, limiter?: RequestLimiter): AuthCache {
  // A short cache keeps the key lookup off the hot path. Revocation through this process forgets
  // the key at once; other processes sharing the store stop honouring it within the TTL.
  const cache = new Map<string, { principal: Principal | null; until: number }>();

  async function lookup(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key);
    const hit = cache.get(hash);
    if (hit && hit.until > now()) return hit.principal;
    const row = await store.findApiKeyByHash(hash);
    const principal = row && row.revoked_at === null ? principalOf(row) : null;
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { principal, until: now() + CACHE_TTL_MS });
    return principal;
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const scope = request.routeOptions.config?.scope;
    const open = scope === 'public' || request.routeOptions.url === undefined;
    const key = open ? undefined : bearerKey(request);
    const principal = key ? await lookup(key) : null;
    if (principal) request.principal = principal;
    // Counted before the key is judged: a flood of bad keys spends its address's budget.
    await limiter?.(request, reply);
    if (open) return;
    if (!key) throw unauthorized('send Authorization: Bearer br_…');
    if (!principal) throw unauthorized('this API key is unknown or revoked');
    if (!scope || (scope !== 'authenticated' && !hasScope(principal, scope))) throw new RailError('forbidden', `this route needs the ${scope ?? 'admin'} scope`);
  });
  return {
    forget: (keyId) => {
      if (keyId === undefined) return cache.clear();
      for (const [hash, hit] of cache) if (hit.principal?.keyId === keyId) cache.delete(hash);
    },
  };
}

/** The caller's principal; routes behind auth always have one. */
export function who(request: FastifyRequest): Principal {
  if (!request.principal) throw new RailError('unauthorized');
  return request.principal;
}
