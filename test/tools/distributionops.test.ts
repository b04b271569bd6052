import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Compile } from 'typebox/compile';
import { ToolError } from '../../src/tools/sdk.js';
import { allocateLargestRemainder } from '../../src/tools/ops/distributionops/allocate.js';
import { assessEvidence } from '../../src/tools/ops/distributionops/evidence.js';
import { computePayoutsOperation, distributionops } from '../../src/tools/ops/distributionops/index.js';
import { toScaled } from '../../src/tools/ops/distributionops/money.js';
import { ComputePayoutsInput, ComputePayoutsOutput, type Holder } from '../../src/tools/ops/distributionops/schemas.js';
import { toolContext } from '../helpers/tool-context.js';

const inputSchema = Compile(ComputePayoutsInput);
const outputSchema = Compile(ComputePayoutsOutput);

const fakeCtx = (controller = new AbortController()) => toolContext([], controller);

async function run(input: ComputePayoutsInput) {
  assert.ok(inputSchema.Check(input), JSON.stringify(inputSchema.Errors(input)));
  const f = fakeCtx();
  const result = await computePayoutsOperation.run(f.ctx, input);
  assert.ok(outputSchema.Check(result.output), JSON.stringify(outputSchema.Errors(result.output)));
  return { ...f, result, output: result.output };
}

const holder = (holder_id: string, units: string, extra: Partial<Holder> = {}): Holder => ({
  holder_id,
  name: `Holder ${holder_id}`,
  units,
  tax_status: 'domestic',
  payout_details: { method: 'ach', account_ref: `acct-${holder_id}` },
  ...extra,
});
const dist = (amount: string, currency: string, holders: Holder[], extra: Partial<ComputePayoutsInput> = {}): ComputePayoutsInput => ({
  record_date: '2025-03-31',
  amount,
  currency,
  holders,
  ...extra,
});
const grossById = (o: ComputePayoutsOutput) => Object.fromEntries(o.payouts.map((p) => [p.holder_id, p.gross]));

describe('distributionops largest-remainder allocation', () => {
  const cases: { name: string; input: ComputePayoutsInput; gross: Record<string, string> }[] = [
    { name: 'three holders of 1 unit, USD 100.00 → 33.34/33.33/33.33', input: dist('100.00', 'USD', [holder('A', '1'), holder('B', '1'), holder('C', '1')]), gross: { A: '33.34', B: '33.33', C: '33.33' } },
    { name: 'tie goes to the smaller holder id whatever the input order', input: dist('100', 'USD', [holder('C', '1'), holder('B', '1'), holder('A', '1')]), gross: { A: '33.34', B: '33.33', C: '33.33' } },
    { name: 'JPY has no minor unit: ¥100 → 34/33/33', input: dist('100', 'JPY', [holder('A', '1'), holder('B', '1'), holder('C', '1')]), gross: { A: '34', B: '33', C: '33' } },
    { name: 'BHD has three: 10.000 → 3.334/3.333/3.333', input: dist('10', 'BHD', [holder('A', '1'), holder('B', '1'), holder('C', '1')]), gross: { A: '3.334', B: '3.333', C: '3.333' } },
    { name: 'largest remainder beats id: 1 and 2 units for 0.10 → 0.03/0.07', input: dist('0.10', 'USD', [holder('A', '1'), holder('B', '2')]), gross: { A: '0.03', B: '0.07' } },
    { name: 'fractional units: 0.5 / 1.25 / 100.000 for 1,000.00', input: dist('1000.00', 'USD', [holder('A', '0.5'), holder('B', '1.25'), holder('C', '100.000')]), gross: { A: '4.91', B: '12.29', C: '982.80' } },
    { name: 'a holding too small for one cent gets nothing', input: dist('1.00', 'USD', [holder('A', '1000000'), holder('B', '1')]), gross: { A: '1.00', B: '0.00' } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { output } = await run(c.input);
      assert.deepEqual(grossById(output), c.gross);
      assert.equal(output.totals?.gross, output.distribution.amount);
    });
  }

  it('always sums to the amount exactly and keeps every share within one minor unit of its quota', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 1, maxLength: 40 }), (total, ws) => {
        const weights = ws.map((weight, i) => ({ id: `h${String(i).padStart(3, '0')}`, weight }));
        const sum = ws.reduce((s, w) => s + w, 0n);
        const shares = allocateLargestRemainder(total, weights);
        assert.equal([...shares.values()].reduce((s, v) => s + v, 0n), total);
        for (const w of weights) {
          const diff = shares.get(w.id)! * sum - total * w.weight; // share − quota, scaled by sum
          assert.ok(diff > -sum && diff < sum, `share of ${w.id} is more than one unit off its quota`);
        }
      }),
    );
  });
});

describe('distributionops compute_payouts', () => {
  it('is declared with its name, operation and capability', () => {
    assert.equal(distributionops.name, 'distributionops');
    assert.equal(distributionops.operations.compute_payouts?.capability, 'distribution.payouts');
  });

  it('a clean register is sufficient with one payout_schedule receipt', async () => {
    const { output, result, receipts, heartbeats } = await run(dist('100.00', 'USD', [holder('A', '1'), holder('B', '1'), holder('C', '1')]));
    assert.deepEqual(result.evidence, { status: 'sufficient', missing: [], exceptions: [] });
    assert.equal(result.nextAction?.action, 'none');
    assert.deepEqual(output.totals, { gross: '100.00', withheld: '0.00', net: '100.00', paid_now: '100.00', carried: '0.00', held: '0.00', holders_paid: 3, holders_carried: 0, holders_held: 0 });
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0]!.kind, 'payout_schedule');
    assert.ok(heartbeats.length >= 1);
    assert.match(result.summary, /USD 100\.00.*Paying 3 holder\(s\) USD 100\.00 now/);
  });

  const withholdingCases: { name: string; h: Holder; amount: string; withheld: string; net: string; disposition: string }[] = [
    { name: '30% of 18,750.00', h: holder('A', '1', { tax_status: 'foreign', withholding_rate: '0.30' }), amount: '18750.00', withheld: '5625.00', net: '13125.00', disposition: 'pay' },
    { name: 'half a cent rounds up (0.05 × 0.3 = 0.015 → 0.02)', h: holder('A', '1', { withholding_rate: '0.3' }), amount: '0.05', withheld: '0.02', net: '0.03', disposition: 'pay' },
    { name: 'JPY 20.315% of ¥10,001 → ¥2,032', h: holder('A', '1', { tax_status: 'foreign', withholding_rate: '0.20315' }), amount: '10001', withheld: '2032', net: '7969', disposition: 'pay' },
    { name: 'BHD 5% of 1.001 → 0.050', h: holder('A', '1', { withholding_rate: '0.05' }), amount: '1.001', withheld: '0.050', net: '0.951', disposition: 'pay' },
    { name: 'a rate of 1 withholds everything', h: holder('A', '1', { withholding_rate: '1' }), amount: '10.00', withheld: '10.00', net: '0.00', disposition: 'pay' },
    { name: 'foreign with an explicit 0 rate pays gross', h: holder('A', '1', { tax_status: 'foreign', withholding_rate: '0' }), amount: '10.00', withheld: '0.00', net: '10.00', disposition: 'pay' },
    { name: 'exempt with no rate withholds nothing', h: holder('A', '1', { tax_status: 'exempt' }), amount: '10.00', withheld: '0.00', net: '10.00', disposition: 'pay' },
    { name: 'foreign with no rate is held, not guessed', h: holder('A', '1', { tax_status: 'foreign' }), amount: '10.00', withheld: '0.00', net: '10.00', disposition: 'held_tax_undetermined' },
    { name: 'unknown tax status with no rate is held', h: holder('A', '1', { tax_status: 'unknown' }), amount: '10.00', withheld: '0.00', net: '10.00', disposition: 'held_tax_undetermined' },
  ];
  for (const c of withholdingCases) {
    it(`withholding: ${c.name}`, async () => {
      const currency = c.amount.includes('.') ? (c.amount.split('.')[1]!.length === 3 ? 'BHD' : 'USD') : 'JPY';
      const { output } = await run(dist(c.amount, currency, [c.h]));
      const p = output.payouts[0]!;
      assert.deepEqual([p.withheld, p.net, p.disposition], [c.withheld, c.net, c.disposition]);
    });
  }

  const minimumCases: { name: string; minimum: string; amount: string; disposition: string }[] = [
    { name: 'net equal to the minimum is paid', minimum: '25.00', amount: '25.00', disposition: 'pay' },
    { name: 'one cent below the minimum is carried', minimum: '25.00', amount: '24.99', disposition: 'carried_below_minimum' },
    { name: 'a minimum finer than the cent: 10.00 < 10.005 is carried', minimum: '10.005', amount: '10.00', disposition: 'carried_below_minimum' },
    { name: 'a minimum finer than the cent: 10.01 ≥ 10.005 is paid', minimum: '10.005', amount: '10.01', disposition: 'pay' },
  ];
  for (const c of minimumCases) {
    it(`minimum: ${c.name}`, async () => {
      const { output, result } = await run(dist(c.amount, 'USD', [holder('A', '1')], { minimum_payout: c.minimum }));
      assert.equal(output.payouts[0]!.disposition, c.disposition);
      assert.equal(result.evidence.status, 'sufficient'); // carrying is the documented rule, not an exception
      if (c.disposition === 'carried_below_minimum') assert.equal(output.totals?.carried, c.amount);
    });
  }

  it('the minimum applies to net, after withholding', async () => {
    const { output } = await run(dist('30.00', 'USD', [holder('A', '1', { withholding_rate: '0.24' })], { minimum_payout: '25.00' }));
    assert.deepEqual([output.payouts[0]!.net, output.payouts[0]!.disposition], ['22.80', 'carried_below_minimum']);
  });

  it('holders missing payout details are exceptions, their amount held (not dropped) → partial, supply_evidence', async () => {
    const { output, result } = await run(dist('90.00', 'USD', [holder('A', '1'), holder('B', '1', { payout_details: undefined }), holder('C', '1')]));
    const b = output.payouts.find((p) => p.holder_id === 'B')!;
    assert.deepEqual([b.gross, b.net, b.disposition, b.payout_method], ['30.00', '30.00', 'held_missing_payout_details', null]);
    assert.deepEqual(output.totals && [output.totals.paid_now, output.totals.held, output.totals.gross], ['60.00', '30.00', '90.00']);
    assert.equal(result.evidence.status, 'partial');
    assert.deepEqual(result.evidence.missing, ['payout_details']);
    assert.deepEqual(result.evidence.exceptions.map((f) => [f.code, f.item]), [['payout_details_missing', 'B']]);
    assert.equal(result.nextAction?.action, 'supply_evidence');
    assert.match(result.nextAction!.detail, /B/);
  });

  it('zero units: nothing due and no exception; negative units: excluded with a finding → repair_inputs', async () => {
    const { output, result } = await run(dist('100.00', 'USD', [holder('A', '2'), holder('Z', '0', { payout_details: undefined }), holder('N', '-5')]));
    assert.deepEqual(Object.fromEntries(output.payouts.map((p) => [p.holder_id, [p.gross, p.disposition]])), {
      A: ['100.00', 'pay'],
      N: ['0.00', 'excluded_negative_units'],
      Z: ['0.00', 'nothing_due'],
    });
    assert.deepEqual(output.findings.map((f) => f.code), ['units_negative']);
    assert.equal(output.distribution.total_units, '2');
    assert.equal(result.evidence.status, 'partial');
    assert.equal(result.nextAction?.action, 'repair_inputs');
  });

  const notComputable: { name: string; input: ComputePayoutsInput; code: string }[] = [
    { name: 'an unknown currency', input: dist('100.00', 'XAU', [holder('A', '1')]), code: 'currency_unknown' },
    { name: 'an amount finer than the cent', input: dist('100.005', 'USD', [holder('A', '1')]), code: 'amount_precision' },
    { name: 'fractional yen', input: dist('100.5', 'JPY', [holder('A', '1')]), code: 'amount_precision' },
  ];
  for (const c of notComputable) {
    it(`${c.name} is a finding, never a guess → insufficient, repair_inputs`, async () => {
      const { output, result } = await run(c.input);
      assert.equal(output.computed, false);
      assert.equal(output.totals, null);
      assert.deepEqual(output.payouts, []);
      assert.deepEqual(output.findings.map((f) => f.code), [c.code]);
      assert.equal(result.evidence.status, 'insufficient');
      assert.deepEqual(result.evidence.missing, ['distribution_terms']);
      assert.equal(result.nextAction?.action, 'repair_inputs');
    });
  }

  const refused: { name: string; input: ComputePayoutsInput; code: string }[] = [
    { name: 'duplicate holder ids', input: dist('100.00', 'USD', [holder('A', '1'), holder('A', '2')]), code: 'duplicate_holder_id' },
    { name: 'no positive units at all', input: dist('100.00', 'USD', [holder('A', '0'), holder('B', '-1')]), code: 'no_positive_units' },
    { name: 'a zero amount', input: dist('0.00', 'USD', [holder('A', '1')]), code: 'amount_not_positive' },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} (non-retryable ${c.code})`, async () => {
      assert.ok(inputSchema.Check(c.input));
      await assert.rejects(computePayoutsOperation.run(fakeCtx().ctx, c.input), (e: unknown) => e instanceof ToolError && e.code === c.code && !e.retryable);
      assert.throws(() => assessEvidence(c.input, []), (e: unknown) => e instanceof ToolError && e.code === c.code);
    });
  }

  it('rejects withholding rates outside 0..1 at the schema', () => {
    assert.equal(inputSchema.Check(dist('1.00', 'USD', [holder('A', '1', { withholding_rate: '1.5' })])), false);
    assert.equal(inputSchema.Check(dist('1.00', 'USD', [holder('A', '1', { withholding_rate: '-0.1' })])), false);
  });

  const registers = fc.array(
    fc.record({
      units: fc.oneof(fc.integer({ min: 0, max: 10_000_000 }).map(String), fc.tuple(fc.nat(9999), fc.nat(999)).map(([a, b]) => `${a}.${String(b).padStart(3, '0')}`)),
      rate: fc.option(fc.integer({ min: 0, max: 10_000 }).map((r) => (r / 10_000).toFixed(4)), { nil: undefined }),
      tax: fc.constantFrom('domestic', 'foreign', 'exempt', 'unknown' as const),
      details: fc.boolean(),
    }),
    { minLength: 1, maxLength: 30 },
  );
  it('reconciles exactly for any register, amount and currency (gross = amount, net + withheld = gross)', async () => {
    await fc.assert(
      fc.asyncProperty(registers, fc.constantFrom(['USD', 2], ['JPY', 0], ['BHD', 3]), fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.nat(5000), async (rows, [currency, minor], amountMinor, minimum) => {
        fc.pre(rows.some((r) => Number(r.units) > 0));
        const holders = rows.map((r, i) =>
          holder(`H${String(i).padStart(2, '0')}`, r.units, {
            tax_status: r.tax,
            ...(r.rate === undefined ? {} : { withholding_rate: r.rate }),
            ...(r.details ? {} : { payout_details: undefined }),
          }),
        );
        const digits = amountMinor.toString().padStart(minor + 1, '0');
        const amount = minor === 0 ? digits : `${digits.slice(0, -minor)}.${digits.slice(-minor)}`;
        const { output } = await run(dist(amount, currency, holders, { minimum_payout: String(minimum) }));
        const sum = (xs: string[]) => xs.reduce((s, x) => s + toScaled(x, minor)!, 0n);
        assert.equal(sum(output.payouts.map((p) => p.gross)), amountMinor);
        for (const p of output.payouts) assert.equal(toScaled(p.net, minor)! + toScaled(p.withheld, minor)!, toScaled(p.gross, minor));
        const t = output.totals!;
        assert.equal(toScaled(t.paid_now, minor)! + toScaled(t.carried, minor)! + toScaled(t.held, minor)!, toScaled(t.net, minor));
        assert.equal(toScaled(t.net, minor)! + toScaled(t.withheld, minor)!, amountMinor);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic and independent of register order', async () => {
    const holders = [holder('LP-3', '3'), holder('LP-1', '1', { payout_details: undefined }), holder('LP-2', '7', { tax_status: 'foreign', withholding_rate: '0.15' })];
    const a = await run(dist('1234.56', 'EUR', holders, { minimum_payout: '150' }));
    const b = await run(dist('1234.56', 'EUR', holders, { minimum_payout: '150' }));
    const c = await run(dist('1234.56', 'EUR', [...holders].reverse(), { minimum_payout: '150' }));
    assert.equal(JSON.stringify(a.result), JSON.stringify(b.result));
    assert.equal(JSON.stringify(a.receipts), JSON.stringify(b.receipts));
    assert.equal(JSON.stringify(a.result), JSON.stringify(c.result));
  });

  it('heartbeats every 1,000 holders and stops when aborted', async () => {
    const holders = Array.from({ length: 2500 }, (_, i) => holder(`H${String(i).padStart(5, '0')}`, String(1 + (i % 7))));
    const { heartbeats, output } = await run(dist('1000000.00', 'USD', holders));
    assert.ok(heartbeats.length >= 3);
    assert.equal(output.totals?.gross, '1000000.00');
    const f = fakeCtx();
    f.controller.abort();
    await assert.rejects(computePayoutsOperation.run(f.ctx, dist('1.00', 'USD', holders)), (e: unknown) => e instanceof ToolError && e.code === 'aborted');
  });

  it('preflight assessEvidence gives the same review as run', async () => {
    const input = dist('100.00', 'USD', [holder('A', '1'), holder('B', '1', { tax_status: 'foreign' })]);
    const { result } = await run(input);
    assert.deepEqual(assessEvidence(input, []), result.evidence);
  });
});

describe('distributionops example work orders', () => {
  const dir = 'examples/work-orders';
  const examples = readdirSync(dir).filter((f) => f.startsWith('distributionops-') && f.endsWith('.json'));
  it('has sufficient, partial and insufficient examples', () => {
    for (const c of ['sufficient', 'partial', 'insufficient']) assert.ok(examples.includes(`distributionops-${c}.json`), c);
  });
  for (const file of examples) {
    it(`${file} validates and yields the status its name says`, async () => {
      const wo = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { tool: string; operation: string; inputs: ComputePayoutsInput };
      assert.equal(wo.tool, 'distributionops');
      assert.equal(wo.operation, 'compute_payouts');
      const { result } = await run(wo.inputs);
      assert.equal(result.evidence.status, file.replace(/^distributionops-|\.json$/g, ''));
    });
  }
});
