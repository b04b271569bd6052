/**
 * `bindrail verify BUNDLE.json`: checks a result bundle offline and names the first failed check.
 * `--keys KEYS.json` trusts only the keys of a saved keys.json; `--online` fetches the rail's
 * keys.json (--url) and trusts only those, so a bundle cannot vouch for itself with its own key.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { PublishedKey } from '../proof/checkpoint.js';
import { verifyBundle, type BundleVerification } from '../proof/verify-bundle.js';
import { call } from './http-client.js';

const USAGE = `bindrail verify BUNDLE.json [--json] [--keys KEYS.json] [--online [--url URL]]

Checks a bundle from GET /v1/bindings/{id}/bundle without trusting the server: receipt and output
digests, the ledger leaf, its inclusion proof against the signed checkpoint, the checkpoint and
DSSE signatures, and that the signed statement matches the result. Exits 1 naming the first
failed check. "-" reads the bundle from stdin.

  --keys FILE   trust only the keys listed in this keys.json (saved earlier)
  --online      trust only the keys the rail publishes at --url (/.well-known/bindrail/keys.json)
  --url URL     the rail for --online (BINDRAIL_URL, default http://127.0.0.1:8080)
  --json        print the checks as JSON
`;

export async function verify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, keys: { type: 'string' }, online: { type: 'boolean' }, url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (values.help || !file) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (err) {
    process.stderr.write(`bindrail verify: cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  let trustedKeys: PublishedKey[] | undefined;
  if (values.keys) trustedKeys = keysOf(JSON.parse(readFileSync(values.keys, 'utf8')));
  if (values.online) {
    const url = values.url ?? process.env.BINDRAIL_URL ?? 'http://127.0.0.1:8080';
    const { body } = await call<unknown>({ url, apiKey: undefined }, 'GET', '/.well-known/bindrail/keys.json');
    const published = keysOf(body);
    // With --keys too, a key must be both saved and still published.
    trustedKeys = trustedKeys ? trustedKeys.filter((k) => published.some((p) => p.key_id === k.key_id && p.public_key === k.public_key)) : published;
  }
  const result = verifyBundle(bundle, { trustedKeys });
  if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else process.stdout.write(report(result, trustedKeys !== undefined));
  return result.ok ? 0 : 1;
}

/** The keys of a keys.json document (or a bare array of {key_id, public_key}). */
function keysOf(doc: unknown): PublishedKey[] {
  const list = Array.isArray(doc) ? doc : (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('not a keys.json document: no keys array');
  return list.map((k: { key_id?: unknown; public_key?: unknown }) => ({ key_id: String(k.key_id), public_key: String(k.public_key) }));
}

function report(v: BundleVerification, trusted: boolean): string {
  const width = Math.max(...v.checks.map((c) => c.name.length));
  const lines = v.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(width)}  ${c.detail}`);
  const failed = v.checks.find((c) => !c.ok);
  lines.push(
    failed
      ? `\nverification FAILED at ${failed.name}: ${failed.detail}`
      : `\nbundle verified${trusted ? ' against the trusted keys' : ' (signatures by the keys in the bundle; add --online or --keys to pin them)'}`,
  );
  return lines.join('\n') + '\n';
}
