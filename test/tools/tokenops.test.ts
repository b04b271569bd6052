import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { Compile } from 'typebox/compile';
import type { EvidenceRef } from '../../src/contracts/work-order.js';
import { ToolError } from '../../src/tools/sdk.js';
import { assessEvidence } from '../../src/tools/ops/tokenops/evidence.js';
import { settleOperation, tokenops } from '../../src/tools/ops/tokenops/index.js';
import { SettleInput, SettleOutput, type LedgerEntry } from '../../src/tools/ops/tokenops/schemas.js';
import { toolContext } from '../helpers/tool-context.js';

const inputSchema = Compile(SettleInput);
const outputSchema = Compile(SettleOutput);
const examplesDir = join(import.meta.dirname, '../../examples/work-orders');

const fakeCtx = toolContext;

async function run(input: SettleInput, evidence: EvidenceRef[] = []) {
  assert.ok(inputSchema.Check(input), JSON.stringify(inputSchema.Errors(input)));
  const f = fakeCtx(evidence);
  const result = await settleOperation.run(f.ctx, input);
  assert.ok(outputSchema.Check(result.output), JSON.stringify(outputSchema.Errors(result.output)));
  return { ...f, result, codes: result.evidence.exceptions.map((e) => e.code) };
}

const settlement = { payment_id: 'pi_1', request_id: 'preq_1', amount: '25.00', currency: 'USD', settled_at: '2025-03-14T09:12:44Z' };
const request = { request_id: 'preq_1', amount: '25.00', currency: 'USD', credits_requested: '2500' };
const fund = (entry_id: string, credits: string): LedgerEntry => ({ entry_id, kind: 'fund', credits, payment_id: 'pi_1' });
const debit = (entry_id: string, credits: string): LedgerEntry => ({ entry_id, kind: 'debit', credits });
const adjust = (entry_id: string, credits: string): LedgerEntry => ({ entry_id, kind: 'adjust', credits });
const line = (line_id: string, quantity: string, unit_price_credits: string, usage_receipt_id?: string) => ({
  line_id,
  meter: 'llm.output_tokens',
  quantity,
  unit_price_credits,
  ...(usage_receipt_id ? { usage_receipt_id } : {}),
});
const sha = 'a'.repeat(64);

/** Every checklist item supplied, balanced: 2500 funded, 1000 debited, metered and receipted. */
function clean(): SettleInput {
  return {
    settlement: { ...settlement },
    payment_request: { ...request },
    ledger: [fund('f1', '2500'), debit('d1', '1000')],
    usage: [line('u1', '100000', '0.01', 'ur_1')],
    usage_receipts: [{ receipt_id: 'ur_1', total_credits: '1000' }],
    file_manifest: [{ name: 'invoice.pdf', sha256: sha }],
  };
}

describe('tokenops examples', () => {
  const files = readdirSync(examplesDir).filter((f) => f.startsWith('tokenops-') && f.endsWith('.json'));
  const expected: Record<string, string> = {
    'tokenops-sufficient.json': 'sufficient',
    'tokenops-partial.json': 'partial',
    'tokenops-amount-mismatch.json': 'partial',
    'tokenops-insufficient.json': 'insufficient',
  };

  it('has a sufficient, a partial and an insufficient case', () => {
    for (const name of ['tokenops-sufficient.json', 'tokenops-partial.json', 'tokenops-insufficient.json']) assert.ok(files.includes(name), name);
  });

  for (const file of files) {
    it(`${file}: inputs validate, run gives the expected evidence status`, async () => {
      const wo = JSON.parse(readFileSync(join(examplesDir, file), 'utf8'));
      assert.equal(wo.tool, 'tokenops');
      assert.equal(wo.operation, 'settle');
      assert.ok(inputSchema.Check(wo.inputs), JSON.stringify(inputSchema.Errors(wo.inputs)));
      const { result } = await run(wo.inputs, wo.evidence);
      if (expected[file]) assert.equal(result.evidence.status, expected[file]);
      assert.equal(settleOperation.assessEvidence?.(wo.inputs, wo.evidence).missing.join(), result.evidence.missing.join());
    });
  }
});

describe('tokenops settle', () => {
  it('is registered as tokenops 1.0.0 settle / tokens.settle', () => {
    assert.equal(tokenops.name, 'tokenops');
    assert.equal(tokenops.version, '1.0.0');
    assert.equal(tokenops.operations.settle?.capability, 'tokens.settle');
  });

  it('a clean, fully evidenced settlement is sufficient with no next step', async () => {
    const { result, receipts, heartbeats } = await run(clean());
    assert.equal(result.evidence.status, 'sufficient');
    assert.deepEqual(result.evidence.exceptions, []);
    assert.equal(result.nextAction?.action, 'none');
    assert.deepEqual(
      { funded: result.output.credits.funded, debited: result.output.credits.debited, remaining: result.output.credits.remaining },
      { funded: '2500', debited: '1000', remaining: '1500' },
    );
    assert.equal(result.output.payment?.amount, '25.00');
    assert.match(result.summary, /USD 25\.00/);
    assert.match(result.summary, /2,500 funded, 1,000 debited, 1,500 remaining/);
    assert.ok(heartbeats.length >= 1);
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0]?.kind, 'settlement');
  });

  it('the settlement receipt is about funding vs consumption of credits, nothing else', async () => {
    const { receipts } = await run(clean());
    const body = receipts[0]?.body ?? {};
    assert.equal(body.credits_funded, '2500');
    assert.equal(body.credits_debited, '1000');
    assert.equal(body.credits_remaining, '1500');
    assert.equal(body.payment_id, 'pi_1');
    for (const key of Object.keys(body)) assert.doesNotMatch(key, /usage|meter|run_ms|queue|attempt|tool/, key);
  });

  it('refuses a debit beyond the funded credits and never goes negative', async () => {
    const input = clean();
    input.ledger = [fund('f1', '100'), debit('d1', '60'), debit('d2', '50'), debit('d3', '40')];
    input.payment_request = { ...request, credits_requested: '100' };
    input.usage = [line('u1', '150', '1')];
    input.usage_receipts = [{ receipt_id: 'ur_1', total_credits: '150' }];
    const { result, codes, receipts } = await run(input);
    assert.deepEqual(codes, ['overdraft_refused']);
    assert.equal(result.evidence.exceptions[0]?.ref, 'd2');
    assert.deepEqual(result.output.ledger.refused, [{ entry_id: 'd2', kind: 'debit', credits: '50', available: '40' }]);
    assert.equal(result.output.credits.debited, '100');
    assert.equal(result.output.credits.refused, '50');
    assert.equal(result.output.credits.remaining, '0');
    assert.equal(result.evidence.status, 'partial');
    assert.equal(result.nextAction?.action, 'review_exceptions');
    assert.deepEqual(receipts[0]?.body.refused_entries, ['d2']);
  });

  it('a debit before any funding is an overdraft even if funding follows', async () => {
    const input = clean();
    input.ledger = [debit('d1', '1000'), fund('f1', '2500')];
    const { result, codes } = await run(input);
    assert.ok(codes.includes('overdraft_refused'));
    assert.equal(result.output.credits.remaining, '2500');
  });

  it('adjustments: positive adds, negative beyond the balance is refused, zero is invalid', async () => {
    const input = clean();
    input.ledger = [fund('f1', '2500'), debit('d1', '1000'), adjust('a1', '20'), adjust('a2', '-2000'), adjust('a3', '0'), adjust('a4', '-20')];
    const { result, codes } = await run(input);
    assert.deepEqual(codes.sort(), ['invalid_entry_amount', 'overdraft_refused']);
    assert.equal(result.output.credits.adjusted, '0');
    assert.equal(result.output.credits.remaining, '1500');
    assert.deepEqual(result.output.ledger.invalid, ['a3']);
    assert.equal(result.output.ledger.refused[0]?.kind, 'adjust');
  });

  it('exact decimals: 0.1 + 0.2 credits debit a 0.3 funding to exactly zero', async () => {
    const input: SettleInput = {
      settlement: { ...settlement, amount: '0.01' },
      payment_request: { ...request, amount: '0.01', credits_requested: '0.3' },
      ledger: [fund('f1', '0.3'), debit('d1', '0.1'), debit('d2', '0.2')],
      usage: [line('u1', '1', '0.1'), line('u2', '2', '0.1')],
    };
    const { result, codes } = await run(input);
    assert.deepEqual(codes, []);
    assert.equal(result.output.credits.remaining, '0');
    assert.equal(result.output.credits.metered, '0.3');
  });

  const mismatches: { name: string; patch: (i: SettleInput) => void; codes: string[]; action: string }[] = [
    { name: 'payment amount ≠ request amount', patch: (i) => void (i.settlement!.amount = '24.99'), codes: ['payment_amount_mismatch'], action: 'review_exceptions' },
    { name: 'same amount written differently', patch: (i) => void (i.settlement!.amount = '25'), codes: [], action: 'none' },
    {
      name: 'payment currency ≠ request currency (no conversion)',
      patch: (i) => void (i.settlement!.currency = 'EUR'),
      codes: ['payment_currency_mismatch'],
      action: 'review_exceptions',
    },
    {
      name: 'unknown currency',
      patch: (i) => {
        i.settlement!.currency = 'XAU';
        i.payment_request!.currency = 'XAU';
      },
      codes: ['unknown_currency', 'unknown_currency'],
      action: 'repair_inputs',
    },
    {
      name: 'JPY with decimals',
      patch: (i) => {
        i.settlement!.currency = 'JPY';
        i.settlement!.amount = '2500.5';
        i.payment_request!.currency = 'JPY';
        i.payment_request!.amount = '2500.5';
      },
      codes: ['amount_precision_exceeds_currency', 'amount_precision_exceeds_currency'],
      action: 'repair_inputs',
    },
    { name: 'settlement answers another request', patch: (i) => void (i.settlement!.request_id = 'preq_9'), codes: ['settlement_request_mismatch'], action: 'review_exceptions' },
    { name: 'funded credits ≠ credits requested', patch: (i) => void (i.ledger![0] = fund('f1', '2400')), codes: ['funded_credits_mismatch'], action: 'review_exceptions' },
    {
      name: 'funding names another payment',
      patch: (i) => void (i.ledger![0] = { ...fund('f1', '2500'), payment_id: 'pi_other' }),
      codes: ['fund_entry_unbacked'],
      action: 'review_exceptions',
    },
    {
      name: 'metered total ≠ debited total',
      patch: (i) => void (i.ledger![1] = debit('d1', '900')),
      codes: ['metered_debit_mismatch'],
      action: 'review_exceptions',
    },
    {
      name: 'usage receipt total ≠ metered total',
      patch: (i) => void (i.usage_receipts![0] = { receipt_id: 'ur_1', total_credits: '1200' }),
      codes: ['usage_receipt_mismatch', 'usage_receipt_total_mismatch'],
      action: 'review_exceptions',
    },
    {
      name: 'metered line names a receipt that is not supplied',
      patch: (i) => {
        i.usage = [line('u1', '50000', '0.01', 'ur_1'), line('u2', '50000', '0.01', 'ur_2')];
        i.usage_receipts = [{ receipt_id: 'ur_1', total_credits: '1000' }];
      },
      codes: ['usage_receipt_mismatch', 'usage_line_unknown_receipt'],
      action: 'review_exceptions',
    },
    {
      name: 'duplicate ledger entry id is applied once',
      patch: (i) => void i.ledger!.push(debit('d1', '1000')),
      codes: ['duplicate_ledger_entry'],
      action: 'review_exceptions',
    },
    { name: 'non-positive debit', patch: (i) => void i.ledger!.push(debit('d9', '-5')), codes: ['invalid_entry_amount'], action: 'repair_inputs' },
    { name: 'zero funding', patch: (i) => void i.ledger!.push(fund('f9', '0')), codes: ['invalid_entry_amount'], action: 'repair_inputs' },
    { name: 'duplicate usage line', patch: (i) => void i.usage!.push(line('u1', '100000', '0.01', 'ur_1')), codes: ['duplicate_usage_line'], action: 'repair_inputs' },
    {
      name: 'manifest lists one file with two hashes',
      patch: (i) => void i.file_manifest!.push({ name: 'invoice.pdf', sha256: 'b'.repeat(64) }),
      codes: ['duplicate_manifest_file'],
      action: 'repair_inputs',
    },
  ];
  for (const m of mismatches) {
    it(`finding: ${m.name}`, async () => {
      const input = clean();
      m.patch(input);
      const { result, codes } = await run(input);
      assert.deepEqual(codes.sort(), [...m.codes].sort());
      assert.equal(result.nextAction?.action, m.action);
      assert.equal(result.evidence.status, m.codes.length === 0 ? 'sufficient' : 'partial');
    });
  }

  it('a duplicate debit is not charged twice', async () => {
    const input = clean();
    input.ledger!.push(debit('d1', '1000'));
    const { result } = await run(input);
    assert.equal(result.output.credits.debited, '1000');
    assert.deepEqual(result.output.ledger.duplicates, ['d1']);
    assert.equal(result.output.ledger.applied, 2);
  });

  it('usage is summed per meter and receipts compared per receipt', async () => {
    const input = clean();
    input.usage = [
      line('u1', '40000', '0.01', 'ur_1'),
      { line_id: 'u2', meter: 'llm.input_tokens', quantity: '300000', unit_price_credits: '0.002', usage_receipt_id: 'ur_1' },
    ];
    const { result, codes } = await run(input);
    assert.deepEqual(codes, []);
    assert.deepEqual(
      result.output.usage_by_meter.map((m) => [m.meter, m.credits]),
      [
        ['llm.input_tokens', '600'],
        ['llm.output_tokens', '400'],
      ],
    );
    assert.deepEqual(result.output.usage_receipts, [{ receipt_id: 'ur_1', total_credits: '1000', metered_credits: '1000', difference: '0' }]);
  });

  it('the manifest digest does not depend on the order files are listed in', async () => {
    const a = clean();
    a.file_manifest = [
      { name: 'b.csv', sha256: 'b'.repeat(64) },
      { name: 'a.pdf', sha256: sha },
    ];
    const b = clean();
    b.file_manifest = [...a.file_manifest].reverse();
    const ra = await run(a);
    const rb = await run(b);
    assert.match(ra.result.output.manifest_digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(ra.result.output.manifest_digest, rb.result.output.manifest_digest);
    assert.deepEqual(ra.result.output.files.map((f) => f.name), ['a.pdf', 'b.csv']);
  });
});

describe('tokenops evidence', () => {
  const cases: { name: string; drop: (keyof SettleInput)[]; status: string; missing: string[]; action: string }[] = [
    { name: 'everything supplied', drop: [], status: 'sufficient', missing: [], action: 'none' },
    { name: 'no file manifest', drop: ['file_manifest'], status: 'partial', missing: ['file_manifest'], action: 'supply_evidence' },
    { name: 'no usage receipts', drop: ['usage_receipts'], status: 'partial', missing: ['usage_receipts'], action: 'supply_evidence' },
    { name: 'no settlement reference', drop: ['settlement'], status: 'insufficient', missing: ['settlement_reference'], action: 'supply_evidence' },
    { name: 'no payment request', drop: ['payment_request'], status: 'insufficient', missing: ['payment_request'], action: 'supply_evidence' },
    {
      name: 'no ledger and no manifest',
      drop: ['ledger', 'file_manifest'],
      status: 'insufficient',
      missing: ['credit_ledger', 'file_manifest'],
      action: 'supply_evidence',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const input = clean();
      for (const k of c.drop) delete input[k];
      const preflight = assessEvidence(input, []);
      assert.equal(preflight.status, c.status);
      assert.deepEqual(preflight.missing, c.missing);
      const { result } = await run(input);
      assert.equal(result.evidence.status, c.status);
      assert.deepEqual(result.evidence.missing, c.missing);
      assert.equal(result.nextAction?.action, c.action);
    });
  }

  it('an empty list is supplied evidence (a statement that there is none)', () => {
    const input = clean();
    input.usage_receipts = [];
    input.usage = [];
    input.ledger = [fund('f1', '2500')];
    assert.equal(assessEvidence(input, []).status, 'sufficient');
  });

  it('evidence declared on the Work Order but absent from the inputs is a finding', async () => {
    const input = clean();
    delete input.file_manifest;
    const { result, codes } = await run(input, [{ item: 'file_manifest', ref: 's3://bucket/settlement/' }]);
    assert.deepEqual(codes, ['evidence_declared_not_in_inputs']);
    assert.equal(result.evidence.status, 'partial');
    assert.equal(result.nextAction?.action, 'repair_inputs');
  });
});

describe('tokenops determinism, progress and cancellation', () => {
  it('the same input gives byte-identical results and receipts', async () => {
    const input = clean();
    input.ledger!.push(debit('d2', '5000'), debit('d1', '1'));
    const a = await run(structuredClone(input));
    const b = await run(structuredClone(input));
    assert.equal(JSON.stringify(a.result), JSON.stringify(b.result));
    assert.equal(JSON.stringify(a.receipts), JSON.stringify(b.receipts));
  });

  it('heartbeats while posting a large ledger', async () => {
    const input = clean();
    input.ledger = [fund('f1', '2500'), ...Array.from({ length: 2500 }, (_, i) => debit(`d${i}`, '0.4'))];
    input.usage = [line('u1', '1000', '1', 'ur_1')];
    const { result, heartbeats } = await run(input);
    assert.ok(heartbeats.length >= 3, `heartbeats: ${heartbeats.length}`);
    assert.ok(heartbeats.every((h) => (h.percent ?? 0) >= 0 && (h.percent ?? 0) <= 100));
    assert.equal(result.output.credits.debited, '1000');
  });

  it('stops with a non-retryable ToolError when the signal is aborted', async () => {
    const controller = new AbortController();
    const f = fakeCtx([], controller);
    const input = clean();
    input.ledger = [fund('f1', '2500'), ...Array.from({ length: 3000 }, (_, i) => debit(`d${i}`, '0.1'))];
    f.ctx.heartbeat = async () => controller.abort();
    await assert.rejects(settleOperation.run(f.ctx, input), (e: unknown) => e instanceof ToolError && e.code === 'aborted' && !e.retryable);
    assert.equal(f.receipts.length, 0);
  });

  it('property: remaining = funded + adjusted − debited, never negative; every entry accounted for', async () => {
    const entry = fc.record({
      entry_id: fc.constantFrom('e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'),
      kind: fc.constantFrom('fund', 'debit', 'adjust') as fc.Arbitrary<LedgerEntry['kind']>,
      credits: fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 100_000 })).map(([neg, n]) => `${neg ? '-' : ''}${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 30 }), async (ledger) => {
        const { result } = await run({ ledger });
        const c = result.output.credits;
        const l = result.output.ledger;
        assert.ok(!c.remaining.startsWith('-'), c.remaining);
        assert.ok(new Decimal(c.funded).plus(c.adjusted).minus(c.debited).eq(c.remaining));
        assert.equal(l.applied + l.refused.length + l.duplicates.length + l.invalid.length, l.entries);
      }),
      { numRuns: 200 },
    );
  });
});
