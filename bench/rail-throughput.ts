/**
 * Intake and end-to-end throughput of the full rail on the embedded SQLite store, over real HTTP.
 * A `bindrail serve` child process; C concurrent keep-alive clients submit N PacketOps work orders;
 * intake rate = acknowledged (202) per second; end-to-end = all N finalized, from the first submit.
 * Usage: node --import tsx bench/rail-throughput.ts [N=10000] [runs=3] [clients=64]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe } from '../test/helpers/serve-process.js';

const N = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 3);
const CLIENTS = Number(process.argv[4] ?? 64);
const KEY = 'br_bench_admin_key_00000000000000000000000';

function order(i: number) {
  return {
    tool: 'packetops',
    operation: 'verify_packet',
    inputs: {
      packet_name: `bench ${i}`,
      files: [{ name: 'a.txt', media_type: 'text/plain', content_base64: Buffer.from(`hello ${i}`).toString('base64') }],
      required_items: ['a.txt'],
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function once(): Promise<{ intake: number; e2e: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-bench-'));
  const server = await spawnServe(['--data-dir', dataDir, '--log-level', 'warn'], { BINDRAIL_ADMIN_KEY: KEY });
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  try {
    const bodies = Array.from({ length: N }, (_, i) => JSON.stringify(order(i)));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < N) {
          const body = bodies[next++]!;
          const res = await fetch(`${server.url}/v1/work-orders`, { method: 'POST', headers, body });
          await res.arrayBuffer();
          if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
        }
      }),
    );
    const intakeSeconds = (performance.now() - started) / 1000;
    for (;;) {
      const res = await fetch(`${server.url}/healthz`);
      const { ledger_size } = (await res.json()) as { ledger_size: number };
      if (ledger_size >= 2 * N) break; // one accepted + one finalized leaf per work order
      await new Promise((r) => setTimeout(r, 20));
    }
    const e2eSeconds = (performance.now() - started) / 1000;
    return { intake: N / intakeSeconds, e2e: N / e2eSeconds };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const runs: { intake: number; e2e: number }[] = [];
for (let r = 0; r < RUNS; r++) {
  const result = await once();
  runs.push(result);
  console.log(`run ${r + 1}: intake ${result.intake.toFixed(0)}/s, end-to-end ${result.e2e.toFixed(0)}/s`);
}
console.log(
  `median of ${RUNS} (N=${N}, ${CLIENTS} clients): intake ${median(runs.map((x) => x.intake)).toFixed(0)} work orders/s, end-to-end ${median(runs.map((x) => x.e2e)).toFixed(0)} completed/s`,
);
