/**
 * `bindrail keys create|list|revoke`: API keys of a running rail, through its admin API
 * (--url, --api-key; by default the admin key in --data-dir). A created key is printed once.
 */
import { parseArgs } from 'node:util';
import type { ApiKey, ApiKeyCreated } from '../contracts/tenancy.js';
import { call, HttpError } from './http-client.js';
import { REMOTE_OPTIONS, resolveRemote } from './remote.js';

const CONNECT = '[--url URL] [--api-key ADMIN_KEY] [--data-dir DIR] [--json]';

export const CREATE_USAGE = `bindrail keys create --tenant TENANT --name NAME --scope SCOPE… [--tool TOOL…] [--create-tenant] ${CONNECT}

Creates an API key and prints it once (the rail keeps only its hash). Scopes: work:submit,
work:read, work:operate, tool:execute, admin; repeat --scope or separate with commas. --tool limits
a tool:execute key to the named remote tools. --create-tenant creates TENANT first when it is new.
`;
export const LIST_USAGE = `bindrail keys list [--tenant TENANT] ${CONNECT}\n\nLists API keys (never their values), revoked ones included.\n`;
export const REVOKE_USAGE = `bindrail keys revoke KEY_ID ${CONNECT}\n\nRevokes an API key; it stops working at once.\n`;

/** "a,b" and repeated flags alike → ['a', 'b']. */
const listOf = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

export async function createKey(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...REMOTE_OPTIONS,
      tenant: { type: 'string' },
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      tool: { type: 'string', multiple: true },
      'create-tenant': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const scopes = listOf(values.scope);
  if (values.help || !values.tenant || !values.name || scopes.length === 0) {
    process.stdout.write(CREATE_USAGE);
    return values.help ? 0 : 2;
  }
  const remote = resolveRemote(values);
  if (values['create-tenant']) {
    try {
      await call(remote, 'POST', '/v1/tenants', { tenant_id: values.tenant });
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 409)) throw err;
    }
  }
  const tools = listOf(values.tool);
  const body = { tenant_id: values.tenant, name: values.name, scopes, ...(tools.length > 0 ? { tools } : {}) };
  const { body: key } = await call<ApiKeyCreated>(remote, 'POST', '/v1/api-keys', body);
  if (values.json) process.stdout.write(JSON.stringify(key, null, 2) + '\n');
  else {
    process.stdout.write(
      `API key ${key.key_id} for tenant ${key.tenant_id} (${key.scopes.join(', ')}${key.tools ? `; tools ${key.tools.join(', ')}` : ''}).\n` +
        `Shown once; the rail keeps only its hash:\n  ${key.key}\n`,
    );
  }
  return 0;
}

export async function listKeys(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...REMOTE_OPTIONS, tenant: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(LIST_USAGE);
    return 0;
  }
  const remote = resolveRemote(values);
  const keys: ApiKey[] = [];
  for (let cursor: string | null = null; ; ) {
    const query: URLSearchParams = new URLSearchParams({ limit: '500', ...(values.tenant ? { tenant_id: values.tenant } : {}), ...(cursor ? { cursor } : {}) });
    const { body: page }: { body: { data: ApiKey[]; next_cursor: string | null } } = await call<{ data: ApiKey[]; next_cursor: string | null }>(remote, 'GET', `/v1/api-keys?${query}`);
    keys.push(...page.data);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(keys, null, 2) + '\n');
    return 0;
  }
  const lines = keys.map((k) =>
    [k.key_id, k.tenant_id.padEnd(16), (k.revoked_at ? 'revoked' : 'active').padEnd(8), k.scopes.join(',').padEnd(28), k.tools ? `tools=${k.tools.join(',')} ` : '', k.name].join('  '),
  );
  process.stdout.write((lines.length > 0 ? lines.join('\n') : 'no API keys') + '\n');
  return 0;
}

export async function revokeKey(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { ...REMOTE_OPTIONS, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  const keyId = positionals[0];
  if (values.help || !keyId) {
    process.stdout.write(REVOKE_USAGE);
    return values.help ? 0 : 2;
  }
  const { body: key } = await call<ApiKey>(resolveRemote(values), 'DELETE', `/v1/api-keys/${encodeURIComponent(keyId)}`);
  process.stdout.write(values.json ? JSON.stringify(key, null, 2) + '\n' : `revoked ${key.key_id} (tenant ${key.tenant_id}, ${key.name}) at ${key.revoked_at}\n`);
  return 0;
}
