/**
 * Writes openapi.json at the repository root: the document /openapi.json serves, from a real app
 * (a rail on a temp-dir store, not listening). A test compares it with the committed file.
 *
 *   node --import tsx scripts/generate-openapi.ts      (or: npm run contracts)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeLogger } from '../src/boot/logger.js';
import { startRail } from '../src/boot/start.js';
import { loadConfig } from '../src/config/load-config.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../openapi.json', import.meta.url));

/** The OpenAPI document of a freshly built app with the default tools. */
export async function openapiDocument(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-openapi-'));
  const config = loadConfig({ 'data-dir': dataDir, 'log-level': 'silent', role: 'api' }, {});
  const runtime = await startRail(config, { logger: makeLogger('silent'), listen: false });
  try {
    await runtime.app!.ready();
    // A JSON round trip: the committed file and the served document are compared as JSON.
    return JSON.parse(JSON.stringify(runtime.app!.swagger())) as Record<string, unknown>;
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const openapiText = (doc: unknown) => JSON.stringify(doc, null, 2) + '\n';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(OPENAPI_PATH, openapiText(await openapiDocument()));
  process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
}
