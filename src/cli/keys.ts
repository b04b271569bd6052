/**
 * `bindrail keys <subcommand>`: keys of the rail. `rotate` replaces this data dir's signing key;
 * the retired key stays published (keys.json) with the window in which it signed. `create`, `list`
 * and `revoke` manage API keys through a running rail (api-keys.ts).
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStore } from '../boot/open-store.js';
import { rotateSigningKey, type SigningKey } from '../proof/keys.js';
import type { SigningKeyRow } from '../store/types.js';
import { createKey, listKeys, revokeKey } from './api-keys.js';

const SUBCOMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  rotate: { run: rotate, help: 'make a new signing key for this data dir; the old one stays published, retired' },
  create: { run: createKey, help: 'create an API key for a tenant (printed once)' },
  list: { run: listKeys, help: 'list API keys, never their values' },
  revoke: { run: revokeKey, help: 'revoke an API key' },
};

function usage(): string {
  return `bindrail keys <subcommand> [options]\n\n${Object.entries(SUBCOMMANDS)
    .map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`)
    .join('\n')}\n`;
}

export async function keys(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const command = sub ? SUBCOMMANDS[sub] : undefined;
  if (!command) {
    process.stdout.write(usage());
    return sub === '--help' || sub === '-h' ? 0 : 2;
  }
  return command.run(rest);
}

const ROTATE_USAGE = `bindrail keys rotate [--data-dir DIR] [--store URL]

Generates a new Ed25519 signing key in DIR (mode 0600), keeps the old key file as
signing-key.<key_id>.retired.pem, and marks the old key retired in the store; it stays listed at
/.well-known/bindrail/keys.json, so everything it signed still verifies. A running server keeps
signing with the old key until it is restarted, then signs with the new one.
`;

function signingKeyRow(key: SigningKey, retiredAt: number | null): SigningKeyRow {
  return { key_id: key.keyId, algorithm: 'ed25519', public_key: key.publicKeyRaw.toString('base64'), created_at: key.createdAt, retired_at: retiredAt };
}

async function rotate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(ROTATE_USAGE);
    return 0;
  }
  const dataDir = values['data-dir'] ?? process.env.BINDRAIL_DATA_DIR ?? './.bindrail';
  const spec = values.store ?? process.env.BINDRAIL_STORE ?? 'sqlite';
  if (spec === 'sqlite' && !existsSync(join(dataDir, 'rail.db'))) {
    process.stderr.write(`bindrail keys rotate: no store at ${join(dataDir, 'rail.db')} (start the rail once first)\n`);
    return 2;
  }
  // The store is opened first: a rotation it cannot record is not made.
  const store = await openStore(spec, dataDir);
  try {
    const now = Date.now();
    const { previous, current } = rotateSigningKey(dataDir, now);
    await store.write(async (tx) => {
      if (previous) await tx.upsertSigningKey(signingKeyRow(previous, now));
      await tx.upsertSigningKey(signingKeyRow(current, null));
    });
    if (values.json) {
      process.stdout.write(JSON.stringify({ retired: previous?.keyId ?? null, current: current.keyId, at: new Date(now).toISOString() }) + '\n');
    } else {
      process.stdout.write(
        `${previous ? `retired signing key ${previous.keyId} (still published)\n` : ''}new signing key ${current.keyId} in ${dataDir}\n` +
          'A running server signs with the new key after its next restart.\n',
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
