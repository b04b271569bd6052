/** Tenants and API keys: who may call the rail, for whom, and with which scopes. */
import { Type, type Static } from 'typebox';
import { Name, PrefixedId, TenantId, Timestamp } from './common.js';

/** Every scope a key can hold; `admin` implies all of them. */
export const SCOPE_NAMES = ['work:submit', 'work:read', 'work:operate', 'tool:execute', 'admin'] as const;
export type ScopeName = (typeof SCOPE_NAMES)[number];

export const Scope = Type.Union(
  [Type.Literal('work:submit'), Type.Literal('work:read'), Type.Literal('work:operate'), Type.Literal('tool:execute'), Type.Literal('admin')],
  { description: 'work:submit, work:read, work:operate (cancel/replay/retry/redeliver), tool:execute (remote workers), admin (everything).' },
);
// The schema and the list are one vocabulary: a scope added to one and not the other fails to compile.
const sameScopes: [Static<typeof Scope>, ScopeName] extends [ScopeName, Static<typeof Scope>] ? true : never = true;
void sameScopes;

export const KeyId = PrefixedId('key', 'API key id (not the key itself).');

export const Tenant = Type.Object(
  { object: Type.Literal('tenant'), tenant_id: TenantId, name: Type.String(), created_at: Timestamp },
  { additionalProperties: false },
);
export type Tenant = Static<typeof Tenant>;

export const TenantRequest = Type.Object(
  {
    tenant_id: TenantId,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A label for people; the tenant id when absent.' })),
  },
  { additionalProperties: false },
);
export type TenantRequest = Static<typeof TenantRequest>;

const ToolList = Type.Array(Name, { maxItems: 100, uniqueItems: true });

export const ApiKey = Type.Object(
  {
    object: Type.Literal('api_key'),
    key_id: KeyId,
    tenant_id: TenantId,
    name: Type.String(),
    scopes: Type.Array(Scope),
    tools: Type.Union([ToolList, Type.Null()], { description: 'tool:execute limited to these tools; null = any.' }),
    created_at: Timestamp,
    revoked_at: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false, description: 'An API key as the rail keeps it: never its value, never its hash.' },
);
export type ApiKey = Static<typeof ApiKey>;

export const ApiKeyCreated = Type.Object(
  {
    ...ApiKey.properties,
    key: Type.String({ description: 'The key itself: `Authorization: Bearer <key>`. Shown this once; the rail keeps only its SHA-256.' }),
  },
  { additionalProperties: false },
);
export type ApiKeyCreated = Static<typeof ApiKeyCreated>;

export const ApiKeyRequest = Type.Object(
  {
    tenant_id: TenantId,
    name: Type.String({ minLength: 1, maxLength: 200, description: 'What the key is for, for people reading the key list.' }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: SCOPE_NAMES.length, uniqueItems: true }),
    tools: Type.Optional(Type.Union([ToolList, Type.Null()], { description: 'With tool:execute: the only tools this key may claim work for.' })),
  },
  { additionalProperties: false },
);
export type ApiKeyRequest = Static<typeof ApiKeyRequest>;
