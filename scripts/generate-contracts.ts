/**
 * `npm run contracts`: rewrites the published contracts from the TypeBox source —
 * contracts/<name>.schema.json for every contract, then openapi.json. With --examples it first
 * regenerates contracts/examples/*.json from a real rail (their ids and times change each run).
 * Tests fail when the committed files drift from what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTRACT_NAMES, CONTRACTS_DIR, contractSchemaDocument, type ContractName } from '../src/api/routes/contracts.js';
import { generateExamples, writeExamples } from './generate-examples.js';
import { OPENAPI_PATH, openapiDocument, openapiText } from './generate-openapi.js';

export const schemaFileName = (name: ContractName) => `${name}.schema.json`;
export const schemaFileText = (name: ContractName) => JSON.stringify(contractSchemaDocument(name), null, 2) + '\n';

export function writeSchemas(): string[] {
  mkdirSync(CONTRACTS_DIR, { recursive: true });
  return CONTRACT_NAMES.map((name) => {
    const path = join(CONTRACTS_DIR, schemaFileName(name));
    writeFileSync(path, schemaFileText(name));
    return path;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const written: string[] = [];
  if (process.argv.includes('--examples')) written.push(...writeExamples(await generateExamples()));
  written.push(...writeSchemas());
  // After the examples: the document embeds them.
  writeFileSync(OPENAPI_PATH, openapiText(await openapiDocument()));
  written.push(OPENAPI_PATH);
  for (const path of written) process.stdout.write(`wrote ${path}\n`);
}
