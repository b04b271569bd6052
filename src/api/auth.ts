/** Bearer API keys: every /v1 route names the scope it needs; public routes say so. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RailError } from '../contracts/errors.js';
import { hashApiKey, hasScope, KEY_RE, principalOf, type Principal, type Scope } from '../rail/api-keys.js';
import type { StoreReader } from '../store/store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs, or 'public'. Routes without one are refused. */
    scope?: Scope | 'public';
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

const CACHE_TTL_MS = 5_000;

export function installAuth(app: FastifyInstance, store: StoreReader, now: () => number): { forget(): void } {
  // A short cache keeps the key lookup off the hot path; a revocation takes effect within the TTL.
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

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const scope = request.routeOptions.config?.scope;
    if (scope === 'public' || request.routeOptions.url === undefined) return;
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!key || !KEY_RE.test(key)) throw new RailError('unauthorized', 'send Authorization: Bearer br_…', undefined, { 'www-authenticate': 'Bearer' });
    const principal = await lookup(key);
    if (!principal) throw new RailError('unauthorized', 'this API key is unknown or revoked', undefined, { 'www-authenticate': 'Bearer' });
    if (!scope || !hasScope(principal, scope)) throw new RailError('forbidden', `this route needs the ${scope ?? 'admin'} scope`);
    request.principal = principal;
  });
  return { forget: () => cache.clear() };
}

/** The caller's principal; routes behind auth always have one. */
export function who(request: FastifyRequest): Principal {
  if (!request.principal) throw new RailError('unauthorized');
  return request.principal;
}
