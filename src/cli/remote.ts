/** Resolves which rail a CLI command talks to: --url/BINDRAIL_URL and --api-key/BINDRAIL_API_KEY. */
import { readAdminKey } from '../boot/first-start.js';
import type { Remote } from './http-client.js';

export const REMOTE_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function resolveRemote(values: { url?: string; 'api-key'?: string; 'data-dir'?: string }, env = process.env): Remote {
  const dataDir = values['data-dir'] ?? env.BINDRAIL_DATA_DIR ?? './.bindrail';
  return {
    url: values.url ?? env.BINDRAIL_URL ?? 'http://127.0.0.1:8080',
    apiKey: values['api-key'] ?? env.BINDRAIL_API_KEY ?? readAdminKey(dataDir),
  };
}
