/**
 * `bindrail ledger verify`: recomputes the whole ledger from the stored leaves and names the first
 * tampered row — leaves, subtree nodes, checkpoints (root, signature, consistency) and, with
 * --deep, the results, receipts and attestations behind every finalized leaf.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../boot/open-store.js';
import { digestJson } from '../proof/canonical.js';
import type { PublishedKey } from '../proof/checkpoint.js';
import { verifyEnvelope } from '../proof/dsse.js';
import { publicKeyFromRaw } from '../proof/keys.js';
import { auditLedger, type StoredLeaf } from '../proof/ledger-audit.js';
import { resultCoreOf } from '../proof/result-core.js';
import type { Store } from '../store/store.js';

const USAGE = `bindrail ledger verify [--data-dir DIR | --store URL] [--deep] [--json]

Recomputes the ledger from its stored leaves: every leaf hash, gap-free seqs, every stored
subtree node, every checkpoint's root at its size and its signature (by any published key), and
consistency between consecutive checkpoints. --deep also checks that each binding.finalized leaf
is the digest of its stored result, and each receipt, output and attestation against its digest.
Exits 1 naming the first tampered row. Progress goes to stderr.

  --data-dir DIR  the rail's data dir (BINDRAIL_DATA_DIR, default ./.bindrail); SQLite: DIR/rail.db
  --store URL     'sqlite', a .db path, or postgres://… (BINDRAIL_STORE)
  --deep          also check results, receipts and attestations
  --batch N       leaves read per batch (default 1000)
  --json          print the report as JSON
`;

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { verify: verifyLedger };

export async function ledger(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const run = sub ? SUBCOMMANDS[sub] : undefined;
  if (!run) {
    process.stdout.write(USAGE);
    return sub === '--help' || sub === '-h' ? 0 : 2;
  }
  return run(rest);
}

const PROGRESS_EVERY = 100_000;

async function verifyLedger(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      deep: { type: 'boolean' },
      batch: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const batchSize = values.batch === undefined ? undefined : Number(values.batch);
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize > 0)) {
    process.stderr.write(`bindrail ledger verify: --batch must be a positive integer\n`);
    return 2;
  }
  const dataDir = values['data-dir'] ?? process.env.BINDRAIL_DATA_DIR ?? './.bindrail';
  const spec = values.store ?? process.env.BINDRAIL_STORE ?? 'sqlite';
  if (spec === 'sqlite' && !existsSync(join(dataDir, 'rail.db'))) {
    process.stderr.write(`bindrail ledger verify: no store at ${join(dataDir, 'rail.db')}\n`);
    return 2;
  }
  const store = await openStore(spec, dataDir);
  const started = performance.now();
  let reported = 0;
  try {
    const keys: PublishedKey[] = (await store.listSigningKeys()).map((k) => ({ key_id: k.key_id, public_key: k.public_key }));
    const report = await auditLedger(
      {
        leaves: (after, limit) => store.listLedgerEntries({ after, limit }),
        nodes: (coords) => store.ledgerNodes(coords),
        checkpoints: (after, limit) => store.listCheckpoints({ after, limit }),
        keys: async () => keys,
      },
      {
        batchSize,
        onBatch: values.deep ? (leaves) => deepCheck(store, leaves, keys) : undefined,
        onProgress: (n) => {
          if (n - reported < PROGRESS_EVERY) return;
          reported = n;
          process.stderr.write(`ledger verify: ${n} leaves checked (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (values.json) {
      process.stdout.write(JSON.stringify({ ...report, deep: values.deep ?? false, seconds: Number(seconds.toFixed(3)) }, null, 2) + '\n');
    } else if (report.ok) {
      process.stdout.write(
        `ledger verified: ${report.leaves} leaves, ${report.nodes} subtree nodes, ${report.checkpoints} checkpoints (signatures and ${report.consistency_proofs} consistency proofs)${values.deep ? ', results, receipts and attestations' : ''} in ${seconds.toFixed(1)} s\nroot ${report.root_hash}\n`,
      );
    } else {
      process.stdout.write(`ledger verification FAILED after ${report.leaves} leaves: ${report.failed}\n`);
    }
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

/** --deep: what the finalized leaves of a batch stand for, row by row. */
async function deepCheck(store: Store, leaves: StoredLeaf[], keys: PublishedKey[]): Promise<string | undefined> {
  const keyObjects = new Map(keys.map((k) => [k.key_id, publicKeyFromRaw(Buffer.from(k.public_key, 'base64'))]));
  for (const leaf of leaves) {
    if (leaf.kind !== 'binding.finalized') continue;
    const where = `results binding ${leaf.binding_id}`;
    const result = await store.getResult(leaf.tenant_id, leaf.binding_id);
    if (!result) return `${where}: missing, but ledger_leaves seq ${leaf.seq} finalized it`;
    const body = result.body;
    const output = body.machine_output === null ? null : digestJson(body.machine_output);
    if (output !== body.output_digest || output !== result.output_digest) return `${where}: output_digest does not match its machine_output`;
    if (digestJson(resultCoreOf(body)) !== leaf.digest) return `${where}: its result core does not match the digest in ledger_leaves seq ${leaf.seq}`;
    for (const receipt of await store.listReceipts(leaf.tenant_id, leaf.binding_id)) {
      const { digest, ...rest } = receipt;
      if (digestJson(rest) !== digest) return `receipts ${receipt.receipt_id}: stored digest does not match its body`;
      const ref = body.receipts.find((r) => r.receipt_id === receipt.receipt_id);
      if (ref?.digest !== digest) return `receipts ${receipt.receipt_id}: not the receipt its result refers to`;
    }
    if (body.attestation) {
      const att = await store.getAttestation(leaf.tenant_id, leaf.binding_id);
      if (!att) return `attestations binding ${leaf.binding_id}: missing, but its result names one`;
      if (digestJson(att.envelope) !== att.digest || att.digest !== body.attestation.digest) {
        return `attestations binding ${leaf.binding_id}: stored digest does not match its envelope`;
      }
      const v = verifyEnvelope(att.envelope, keyObjects);
      if (!v.ok) return `attestations binding ${leaf.binding_id}: ${v.reason}`;
    }
  }
  return undefined;
}
