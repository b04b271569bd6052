/** MCP resources: the published contracts, their examples, the OpenAPI document and llms.txt. */
import type { BindrailClient } from '../client/bindrail-client.js';

export interface McpResource {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

const SCHEMA_URI = /^bindrail:\/\/contracts\/([a-z][a-z0-9-]*)\.schema\.json$/;
const EXAMPLE_URI = /^bindrail:\/\/contracts\/examples\/([a-z][a-z0-9-]*)\.json$/;

const FIXED: McpResource[] = [
  { uri: 'bindrail://llms.txt', name: 'llms.txt', title: 'How to use this rail (for LLM agents)', description: 'A short guide: the flow, the objects, the tools.', mimeType: 'text/plain' },
  { uri: 'bindrail://openapi.json', name: 'openapi.json', title: 'OpenAPI 3.1 document', description: 'Every HTTP route with its schemas, examples and problem responses.', mimeType: 'application/json' },
];

/** Lists the rail's contracts as resources (asked of the rail, so a newer rail lists its own). */
export async function listResources(client: BindrailClient): Promise<McpResource[]> {
  const index = await client.listContracts();
  const contracts = index.data.flatMap((c): McpResource[] => [
    { uri: `bindrail://contracts/${c.name}.schema.json`, name: `${c.name}.schema.json`, title: `${c.title} — JSON Schema`, description: c.description, mimeType: 'application/schema+json' },
    ...(c.example
      ? [{ uri: `bindrail://contracts/examples/${c.name}.json`, name: `examples/${c.name}.json`, title: `${c.title} — example`, description: `A real ${c.title} that validates against its schema.`, mimeType: 'application/json' }]
      : []),
  ]);
  return [...FIXED, ...contracts];
}

/** Reads one resource; undefined when the URI names none. */
export async function readResource(client: BindrailClient, uri: string): Promise<{ mimeType: string; text: string } | undefined> {
  const json = (value: unknown, mimeType = 'application/json') => ({ mimeType, text: JSON.stringify(value, null, 2) });
  if (uri === 'bindrail://llms.txt') return { mimeType: 'text/plain', text: await client.llmsTxt() };
  if (uri === 'bindrail://openapi.json') return json(await client.openapi());
  const schema = SCHEMA_URI.exec(uri);
  if (schema) return json(await client.getContract(schema[1]!), 'application/schema+json');
  const example = EXAMPLE_URI.exec(uri);
  if (example) return json(await client.getContractExample(example[1]!));
  return undefined;
}
