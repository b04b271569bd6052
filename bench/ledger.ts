/**
 * The Merkle ledger on the embedded SQLite store at scale:
 *  - appends: N leaves through the store's appendLedger, BATCH per transaction → leaves/s
 *    (a checkpoint is signed every 1,000 leaves, as `--checkpoint-every 1000` would; timed apart);
 *  - inclusion proofs at N leaves: generation from the stored nodes and verification, the median
 *    over 1,000 random leaves;
 *  - `ledger verify` of the whole ledger (leaf hashes, every stored node, every checkpoint's root,
 *    signature and consistency), the same audit the CLI runs;
 *  - bytes per leaf: the database file after VACUUM / N, and the ledger tables' share (dbstat).
 * Append and full-verify figures are the median of RUNS runs, each on a fresh database.
 * Usage: node --import tsx bench/ledger.ts [N=1000000] [runs=3] [batch=1000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf } from '../src/proof/keys.js';
import { auditLedger } from '../src/proof/ledger-audit.js';
import { ed25519PublicKeyRaw } from '../src/proof/checkpoint-note.js';
import { inclusionProof, rootHash, verifyInclusion, type NodeCoord } from '../src/proof/merkle.js';
import { signCheckpointNow } from '../src/rail/checkpointer.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { LedgerDraft } from '../src/store/types.js';
import { generateKeyPairSync } from 'node:crypto';

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const BATCH = Number(process.argv[4] ?? 1_000);
const CHECKPOINT_EVERY = 1_000;
const SAMPLES = 1_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** CPU time (user + system) of this process since `since`: the figure a loaded machine distorts least. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const mib = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);

function drafts(from: number, count: number): LedgerDraft[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      tenant_id: 'default',
      kind: n % 2 === 0 ? 'work_order.accepted' : 'binding.finalized',
      binding_id: `bnd_${hex(Math.floor(n / 2), 32)}`,
      work_order_id: `wo_${hex(Math.floor(n / 2), 32)}`,
      digest: `sha256:${hex(n, 64)}`,
      at: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
    };
  });
}

function signingKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyRaw = ed25519PublicKeyRaw(publicKey);
  return { keyId: keyIdOf(publicKeyRaw), privateKey, publicKey, publicKeyRaw, createdAt: Date.now() };
}

async function build(dir: string) {
  const store = new SqliteStore(join(dir, 'rail.db'));
  const key = signingKey();
  await store.write((tx) => tx.upsertSigningKey({ key_id: key.keyId, algorithm: 'ed25519', public_key: key.publicKeyRaw.toString('base64'), created_at: key.createdAt, retired_at: null }));
  let appendMs = 0;
  let appendCpuMs = 0;
  const checkpointMs: number[] = [];
  for (let done = 0; done < N; ) {
    const count = Math.min(BATCH, N - done);
    const batch = drafts(done, count);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await store.write((tx) => tx.appendLedger(batch));
    appendMs += performance.now() - t0;
    appendCpuMs += cpuMs(c0);
    done += count;
    if (done % CHECKPOINT_EVERY === 0 || done === N) {
      const t1 = performance.now();
      await signCheckpointNow({ store, key, origin: 'bench.example/ledger', now: Date.now });
      checkpointMs.push(performance.now() - t1);
    }
    if (done % 200_000 === 0) process.stderr.write(`  … ${done} leaves (rss ${mib()} MiB)\n`);
  }
  return { store, leavesPerSecond: N / (appendMs / 1000), cpuLeavesPerSecond: N / (appendCpuMs / 1000), checkpointMs: median(checkpointMs) };
}

async function fullVerify(store: SqliteStore): Promise<{ seconds: number; cpuSeconds: number }> {
  const keys = (await store.listSigningKeys()).map((k) => ({ key_id: k.key_id, public_key: k.public_key }));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const report = await auditLedger({
    leaves: (after, limit) => store.listLedgerEntries({ after, limit }),
    nodes: (coords) => store.ledgerNodes(coords),
    checkpoints: (after, limit) => store.listCheckpoints({ after, limit }),
    keys: async () => keys,
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = cpuMs(c0) / 1000;
  if (!report.ok || report.tree_size !== N) throw new Error(`verify failed: ${report.failed}`);
  return { seconds, cpuSeconds };
}

async function proofs(store: SqliteStore) {
  const fetch = (coords: NodeCoord[]) => store.ledgerNodes(coords);
  const root = await rootHash(N, fetch);
  const gen: number[] = [];
  const ver: number[] = [];
  let proofLength = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const seq = Math.floor(Math.random() * N);
    const leaf = Buffer.from((await store.getLedgerEntry(seq))!.leaf_hash, 'hex');
    const t0 = performance.now();
    const proof = await inclusionProof(seq, N, fetch);
    const t1 = performance.now();
    const ok = verifyInclusion(leaf, seq, N, proof, root);
    const t2 = performance.now();
    if (!ok) throw new Error(`proof of ${seq} does not verify`);
    gen.push(t1 - t0);
    ver.push(t2 - t1);
    proofLength = proof.length;
  }
  return { generateUs: median(gen) * 1000, verifyUs: median(ver) * 1000, proofLength };
}

function storage(store: SqliteStore, dir: string) {
  const db = store.database;
  db.exec('VACUUM');
  const fileBytes = statSync(join(dir, 'rail.db')).size;
  let tables: Record<string, number> | undefined;
  try {
    const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[];
    tables = Object.fromEntries(rows.filter((r) => r.name.startsWith('ledger') || r.name.includes('checkpoint')).map((r) => [r.name, r.bytes]));
  } catch {
    // dbstat is a compile-time option of SQLite; without it only the file size is reported.
  }
  return { fileBytes, tables };
}

const appendRates: number[] = [];
const appendCpuRates: number[] = [];
const verifySeconds: number[] = [];
const verifyCpuSeconds: number[] = [];
let proofFigures: Awaited<ReturnType<typeof proofs>> | undefined;
let storeFigures: ReturnType<typeof storage> | undefined;
let checkpointMs = 0;
for (let run = 1; run <= RUNS; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'bindrail-bench-ledger-'));
  try {
    process.stderr.write(`run ${run}/${RUNS}: appending ${N} leaves, ${BATCH} per transaction\n`);
    const built = await build(dir);
    appendRates.push(built.leavesPerSecond);
    appendCpuRates.push(built.cpuLeavesPerSecond);
    checkpointMs = built.checkpointMs;
    process.stderr.write(`  verifying the whole ledger\n`);
    const verified = await fullVerify(built.store);
    verifySeconds.push(verified.seconds);
    verifyCpuSeconds.push(verified.cpuSeconds);
    if (run === 1) {
      proofFigures = await proofs(built.store);
      storeFigures = storage(built.store, dir);
    }
    await built.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const perLeaf = (bytes: number) => (bytes / N).toFixed(1);
const lines = [
  `bindrail ledger bench — SQLite (WAL, synchronous=FULL), N = ${N.toLocaleString('en')} leaves, ${BATCH} per transaction, median of ${RUNS}`,
  `  append                      ${Math.round(median(appendRates)).toLocaleString('en')} leaves/s wall, ${Math.round(median(appendCpuRates)).toLocaleString('en')} per CPU-second   (runs: ${appendRates.map((r) => Math.round(r)).join(', ')})`,
  `  checkpoint sign (per 1,000) ${checkpointMs.toFixed(2)} ms median (root from stored nodes + Ed25519 note + insert)`,
  `  ${`inclusion proof at ${N.toLocaleString('en')}`.padEnd(28)}generate ${proofFigures!.generateUs.toFixed(0)} µs, verify ${proofFigures!.verifyUs.toFixed(0)} µs (median of ${SAMPLES} random leaves; ${proofFigures!.proofLength} hashes)`,
  `  ledger verify (full)        ${median(verifySeconds).toFixed(2)} s wall, ${median(verifyCpuSeconds).toFixed(2)} CPU-s   (runs: ${verifySeconds.map((s) => s.toFixed(2)).join(', ')}; ${Math.round(N / median(verifySeconds)).toLocaleString('en')} leaves/s)`,
  `  bytes per leaf              ${perLeaf(storeFigures!.fileBytes)} (file after VACUUM: ${(storeFigures!.fileBytes / 2 ** 20).toFixed(1)} MiB)`,
  ...(storeFigures!.tables
    ? Object.entries(storeFigures!.tables).map(([name, bytes]) => `    ${name.padEnd(26)}${perLeaf(bytes)} bytes/leaf (${(bytes / 2 ** 20).toFixed(1)} MiB)`)
    : ['    (dbstat not available: no per-table figures)']),
  `  peak rss                    ${mib()} MiB; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`,
];
process.stdout.write(lines.join('\n') + '\n');
