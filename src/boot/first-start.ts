/** First start on an empty store: the default tenant and an admin key, printed once and kept 0600. */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKey, KEY_RE } from '../rail/api-keys.js';
import type { Store } from '../store/store.js';

export const DEFAULT_TENANT = 'default';
export const ADMIN_KEY_FILE = 'admin.key';

/** Returns the admin key value when this call created it (to print once), else undefined. */
export async function ensureAdminKey(store: Store, dataDir: string, presetKey: string, now: number): Promise<string | undefined> {
  if (presetKey && !KEY_RE.test(presetKey)) throw new Error('BINDRAIL_ADMIN_KEY must look like br_ followed by 20+ URL-safe characters');
  const created = await store.write(async (tx) => {
    await tx.ensureTenant(DEFAULT_TENANT, 'Default tenant', now);
    if ((await tx.countApiKeys()) > 0) return undefined;
    const { value } = await createApiKey(tx, { tenantId: DEFAULT_TENANT, name: 'admin (first start)', scopes: ['admin'], value: presetKey || undefined, now });
    return value;
  });
  if (created) {
    const path = join(dataDir, ADMIN_KEY_FILE);
    writeFileSync(path, created + '\n', { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  return created;
}

/** The admin key kept in a data dir, for CLI commands run beside the server. */
export function readAdminKey(dataDir: string): string | undefined {
  const path = join(dataDir, ADMIN_KEY_FILE);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
