import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Compile } from 'typebox/compile';
import { ToolError } from '../../src/tools/sdk.js';
import { assessEvidence } from '../../src/tools/ops/packetops/evidence.js';
import { packetops, verifyPacketOperation } from '../../src/tools/ops/packetops/index.js';
import { leafHash, merkleRootHex, nodeHash } from '../../src/tools/ops/packetops/merkle-root.js';
import { VerifyPacketInput, VerifyPacketOutput } from '../../src/tools/ops/packetops/schemas.js';
import { verifyPacket } from '../../src/tools/ops/packetops/verify.js';
import { toolContext } from '../helpers/tool-context.js';

const inputSchema = Compile(VerifyPacketInput);
const outputSchema = Compile(VerifyPacketOutput);
const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const fakeCtx = (controller = new AbortController()) => toolContext([], controller);

async function run(input: VerifyPacketInput) {
  assert.ok(inputSchema.Check(input), JSON.stringify(inputSchema.Errors(input)));
  const f = fakeCtx();
  const result = await verifyPacketOperation.run(f.ctx, input);
  assert.ok(outputSchema.Check(result.output), JSON.stringify(outputSchema.Errors(result.output)));
  return { ...f, result };
}

const text = (name: string, body: string, media_type = 'text/plain') => ({ name, media_type, content_base64: b64(body) });

describe('packetops merkle root (RFC 9162)', () => {
  // Certificate Transparency reference vectors (RFC 6962 test data, same MTH as RFC 9162).
  const ctLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
    Buffer.from(h, 'hex'),
  );
  const ctRoots = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  for (const [i, root] of ctRoots.entries()) {
    it(`matches the CT vector for ${i + 1} leaves`, () => assert.equal(merkleRootHex(ctLeaves.slice(0, i + 1)), root));
  }

  it('hashes the empty tree to SHA-256 of nothing', () => {
    assert.equal(merkleRootHex([]), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('splits at the largest power of two below n (5 leaves: 4 | 1)', () => {
    const l = [0, 1, 2, 3, 4].map((i) => leafHash(Uint8Array.of(i)));
    const expected = nodeHash(nodeHash(nodeHash(l[0]!, l[1]!), nodeHash(l[2]!, l[3]!)), l[4]!);
    assert.equal(merkleRootHex([0, 1, 2, 3, 4].map((i) => Uint8Array.of(i))), expected.toString('hex'));
  });

  it('agrees with the textbook recursive definition for any leaf count', () => {
    const mth = (d: Uint8Array[]): Buffer => {
      if (d.length === 1) return leafHash(d[0]!);
      let k = 1;
      while (k * 2 < d.length) k *= 2;
      return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
    };
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength: 70 }), (d) => {
        assert.equal(merkleRootHex(d), mth(d).toString('hex'));
      }),
    );
  });
});

describe('packetops verify_packet', () => {
  it('is declared with its name, operation and capability', () => {
    assert.equal(packetops.name, 'packetops');
    assert.equal(packetops.version, '1.0.0');
    assert.equal(packetops.operations.verify_packet?.capability, 'packet.verify');
  });

  it('hashes inline content, takes manifest lines as declared, sorts by name, one packet_manifest receipt', async () => {
    const { result, receipts, heartbeats } = await run({
      packet_name: 'Closing packet',
      files: [
        text('b.txt', 'hello\n'),
        { name: 'a.pdf', media_type: 'Application/PDF', size: 1234, sha256: 'AB'.repeat(32) },
      ],
      required_items: ['a.pdf', 'b.txt'],
    });
    const out = result.output;
    assert.deepEqual(out.files, [
      { name: 'a.pdf', media_type: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32), digest_source: 'declared' },
      { name: 'b.txt', media_type: 'text/plain', size: 6, sha256: sha('hello\n'), digest_source: 'computed' },
    ]);
    assert.equal(out.total_bytes, 1240);
    assert.equal(out.merkle_root, merkleRootHex([Buffer.from(`a.pdf\n${'ab'.repeat(32)}`), Buffer.from(`b.txt\n${sha('hello\n')}`)]));
    assert.deepEqual(out.required_items, { present: ['a.pdf', 'b.txt'], missing: [] });
    assert.deepEqual(result.evidence, { status: 'sufficient', missing: [], exceptions: [] });
    assert.equal(result.nextAction?.action, 'none');
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0]!.kind, 'packet_manifest');
    assert.equal(receipts[0]!.body.merkle_root, out.merkle_root);
    assert.ok(heartbeats.length >= 1);
    assert.match(result.summary, /2 files, 1,240 bytes/);
  });

  const violationCases: { name: string; input: VerifyPacketInput; codes: string[] }[] = [
    {
      name: 'declared sha256 disagrees with content',
      input: { packet_name: 'p', files: [{ ...text('a.txt', 'x'), sha256: sha('y') }] },
      codes: ['sha256_mismatch'],
    },
    {
      name: 'declared size disagrees with content',
      input: { packet_name: 'p', files: [{ ...text('a.txt', 'xyz'), size: 4 }] },
      codes: ['size_mismatch'],
    },
    { name: '0-byte file', input: { packet_name: 'p', files: [text('empty.txt', '')] }, codes: ['empty_file'] },
    {
      name: 'file over the per-file limit (limit is inclusive)',
      input: { packet_name: 'p', files: [text('a.txt', '12345'), text('b.txt', '123456')], limits: { max_file_bytes: 5 } },
      codes: ['file_too_large'],
    },
    {
      name: 'packet over the total limit',
      input: { packet_name: 'p', files: [text('a.txt', '12345'), text('b.txt', '123456')], limits: { max_total_bytes: 10 } },
      codes: ['total_too_large'],
    },
    {
      name: 'media type not allowed (exact, case-insensitive and type/* wildcard)',
      input: {
        packet_name: 'p',
        files: [
          { name: 'a.pdf', media_type: 'APPLICATION/PDF', size: 1, sha256: sha('a') },
          { name: 'b.png', media_type: 'image/png', size: 1, sha256: sha('b') },
          { name: 'c.exe', media_type: 'application/octet-stream', size: 1, sha256: sha('c') },
        ],
        limits: { allowed_media_types: ['application/pdf', 'image/*'] },
      },
      codes: ['media_type_not_allowed'],
    },
    {
      name: 'duplicate names (reported once per name)',
      input: { packet_name: 'p', files: [text('a.txt', '1'), text('a.txt', '2'), text('a.txt', '3')] },
      codes: ['duplicate_name'],
    },
  ];
  for (const c of violationCases) {
    it(`flags ${c.name} → partial, review_exceptions`, async () => {
      const { result } = await run(c.input);
      assert.deepEqual(
        result.output.violations.map((v) => v.code),
        c.codes,
      );
      assert.equal(result.evidence.status, 'partial');
      assert.deepEqual(result.evidence.exceptions, result.output.violations);
      assert.equal(result.nextAction?.action, 'review_exceptions');
    });
  }

  it('names the offending file in each finding', async () => {
    const { result } = await run({ packet_name: 'p', files: [text('ok.txt', 'ok'), text('big.txt', 'too big')], limits: { max_file_bytes: 3 } });
    assert.deepEqual(result.output.violations.map((v) => v.item), ['big.txt']);
  });

  it('missing required items → insufficient with the names, even with violations too', async () => {
    const { result } = await run({
      packet_name: 'p',
      files: [text('a.txt', '')],
      required_items: ['a.txt', 'deed.pdf', 'deed.pdf', 'survey.pdf'],
    });
    assert.deepEqual(result.output.required_items, { present: ['a.txt'], missing: ['deed.pdf', 'survey.pdf'] });
    assert.equal(result.evidence.status, 'insufficient');
    assert.deepEqual(result.evidence.missing, ['deed.pdf', 'survey.pdf']);
    assert.equal(result.nextAction?.action, 'supply_evidence');
    assert.match(result.nextAction!.detail, /deed\.pdf, survey\.pdf/);
  });

  it('required names match exactly (case-sensitive)', async () => {
    const { result } = await run({ packet_name: 'p', files: [text('Deed.pdf', 'd')], required_items: ['deed.pdf'] });
    assert.deepEqual(result.output.required_items.missing, ['deed.pdf']);
  });

  it('orders names by UTF-8 bytes, not JS UTF-16 code units', async () => {
    // U+FF21 (3 UTF-8 bytes, ef bc a1) sorts before U+1F600 (f0 9f 98 80) in UTF-8, after it in UTF-16.
    const { result } = await run({ packet_name: 'p', files: [text('\u{1F600}.txt', 'a'), text('\uFF21.txt', 'b'), text('Z.txt', 'c')] });
    assert.deepEqual(result.output.files.map((f) => f.name), ['Z.txt', '\uFF21.txt', '\u{1F600}.txt']);
  });

  it('is deterministic and independent of the input file order', async () => {
    const files = [text('c.txt', 'c'), { name: 'a.pdf', media_type: 'application/pdf', size: 9, sha256: sha('a') }, text('b.txt', 'b')];
    const one = await run({ packet_name: 'p', files, required_items: ['a.pdf'] });
    const two = await run({ packet_name: 'p', files, required_items: ['a.pdf'] });
    const shuffled = await run({ packet_name: 'p', files: [files[2]!, files[0]!, files[1]!], required_items: ['a.pdf'] });
    assert.equal(JSON.stringify(one.result), JSON.stringify(two.result));
    assert.equal(JSON.stringify(one.receipts), JSON.stringify(two.receipts));
    assert.equal(JSON.stringify(one.result), JSON.stringify(shuffled.result));
  });

  it('preflight assessEvidence gives the same review as run', async () => {
    const input: VerifyPacketInput = { packet_name: 'p', files: [text('a.txt', '')], required_items: ['b.txt'] };
    const { result } = await run(input);
    assert.deepEqual(assessEvidence(input, []), result.evidence);
  });

  it('heartbeats every 1,000 files and stops when aborted', async () => {
    const files = Array.from({ length: 2500 }, (_, i) => ({
      name: `scan-${String(i).padStart(4, '0')}.pdf`,
      media_type: 'application/pdf',
      size: 100 + i,
      sha256: sha(String(i)),
    }));
    const { heartbeats, result } = await run({ packet_name: 'bulk', files });
    assert.ok(heartbeats.length >= 3, `heartbeats: ${heartbeats.length}`);
    assert.equal(result.output.file_count, 2500);

    const aborted = fakeCtx();
    aborted.controller.abort();
    await assert.rejects(verifyPacketOperation.run(aborted.ctx, { packet_name: 'bulk', files }), (e: unknown) => {
      return e instanceof ToolError && e.code === 'aborted' && !e.retryable;
    });
  });

  it('rejects files with neither content nor a full manifest line, and bad base64', () => {
    assert.equal(inputSchema.Check({ packet_name: 'p', files: [{ name: 'a', media_type: 'text/plain', sha256: sha('a') }] }), false);
    assert.equal(inputSchema.Check({ packet_name: 'p', files: [{ name: 'a', media_type: 'text/plain', content_base64: 'abc' }] }), false);
    assert.equal(inputSchema.Check({ packet_name: 'p', files: [{ name: 'a\nb', media_type: 'text/plain', content_base64: '' }] }), false);
    assert.equal(inputSchema.Check({ packet_name: 'p', files: [] }), false);
  });
});

describe('packetops verifyPacket (third-party re-check)', () => {
  const contents = new Map<string, Uint8Array>([
    ['deed.pdf', Buffer.from('%PDF-1.7 deed')],
    ['survey.txt', Buffer.from('Parcel 12, 4.2 acres')],
    ['title.pdf', Buffer.from('%PDF-1.7 title')],
  ]);
  async function packet() {
    const files = [...contents].map(([name, bytes]) => ({ name, media_type: 'application/pdf', content_base64: Buffer.from(bytes).toString('base64') }));
    const { result } = await run({ packet_name: 'Parcel 12 closing', files });
    // What a third party holds: the packet as JSON text.
    return JSON.parse(JSON.stringify(result.output.verification_packet)) as Record<string, unknown> & { files: { sha256: string; size: number }[] };
  }

  it('re-checks a genuine packet with and without the files', async () => {
    const p = await packet();
    const digestsOnly = verifyPacket(p);
    assert.equal(digestsOnly.ok, true);
    assert.deepEqual(digestsOnly.files_unchecked, ['deed.pdf', 'survey.txt', 'title.pdf']);
    const full = verifyPacket(p, contents);
    assert.deepEqual(full.problems, []);
    assert.deepEqual(full.files_checked, ['deed.pdf', 'survey.txt', 'title.pdf']);
  });

  const tamperings: { name: string; tamper: (p: Awaited<ReturnType<typeof packet>>) => void; files?: Map<string, Uint8Array>; codes: string[] }[] = [
    { name: 'a changed root', tamper: (p) => (p.merkle_root = 'f'.repeat(64)), codes: ['merkle_root_mismatch'] },
    { name: 'a changed digest', tamper: (p) => (p.files[1]!.sha256 = sha('forged')), codes: ['merkle_root_mismatch'] },
    { name: 'a changed size', tamper: (p) => (p.files[0]!.size += 1), codes: ['total_bytes_mismatch'] },
    { name: 'reordered files', tamper: (p) => p.files.reverse(), codes: ['files_not_in_canonical_order'] },
    { name: 'a dropped file', tamper: (p) => p.files.pop(), codes: ['file_count_mismatch', 'total_bytes_mismatch', 'merkle_root_mismatch'] },
    {
      name: 'altered file content',
      tamper: () => {},
      files: new Map([...contents, ['title.pdf', Buffer.from('%PDF-1.7 titlE')]]),
      codes: ['sha256_mismatch'],
    },
    {
      name: 'a file the packet does not list',
      tamper: () => {},
      files: new Map([...contents, ['extra.pdf', Buffer.from('x')]]),
      codes: ['file_not_in_packet'],
    },
    { name: 'a malformed packet', tamper: (p) => delete p.merkle, codes: ['packet_malformed'] },
  ];
  for (const t of tamperings) {
    it(`detects ${t.name}`, async () => {
      const p = await packet();
      t.tamper(p);
      const check = verifyPacket(p, t.files);
      assert.equal(check.ok, false);
      assert.deepEqual([...new Set(check.problems.map((x) => x.code))], t.codes);
    });
  }
});

describe('packetops example work orders', () => {
  const dir = 'examples/work-orders';
  const examples = readdirSync(dir).filter((f) => f.startsWith('packetops-') && f.endsWith('.json'));
  it('has sufficient, partial and insufficient examples', () => {
    for (const c of ['sufficient', 'partial', 'insufficient']) assert.ok(examples.includes(`packetops-${c}.json`), c);
  });
  for (const file of examples) {
    it(`${file} validates and yields the status its name says`, async () => {
      const wo = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { tool: string; operation: string; inputs: VerifyPacketInput };
      assert.equal(wo.tool, 'packetops');
      assert.equal(wo.operation, 'verify_packet');
      const { result } = await run(wo.inputs);
      assert.equal(result.evidence.status, file.replace(/^packetops-|\.json$/g, ''));
    });
  }
});
