import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { Compile } from 'typebox/compile';
import type { EvidenceRef } from '../../src/contracts/work-order.js';
import { ToolError } from '../../src/tools/sdk.js';
import { assessEvidence } from '../../src/tools/ops/financeops/evidence.js';
import { financeops, reconcileOperation } from '../../src/tools/ops/financeops/index.js';
import { ReconcileInput, ReconcileOutput, type BankLine, type Invoice } from '../../src/tools/ops/financeops/schemas.js';
import { toolContext } from '../helpers/tool-context.js';

const inputSchema = Compile(ReconcileInput);
const outputSchema = Compile(ReconcileOutput);
const examplesDir = join(import.meta.dirname, '../../examples/work-orders');

const fakeCtx = toolContext;

async function run(input: ReconcileInput, evidence: EvidenceRef[] = []) {
  assert.ok(inputSchema.Check(input), JSON.stringify(inputSchema.Errors(input)));
  const f = fakeCtx(evidence);
  const result = await reconcileOperation.run(f.ctx, input);
  assert.ok(outputSchema.Check(result.output), JSON.stringify(outputSchema.Errors(result.output)));
  return { ...f, result, codes: result.evidence.exceptions.map((e) => e.code) };
}

const window = { days_before_issue: 5, days_after_due: 30 };
const invoice = (invoice_id: string, amount: string, extra: Partial<Invoice> = {}): Invoice => ({
  invoice_id,
  counterparty: 'Kessler Logistik AG',
  amount,
  currency: 'EUR',
  issued_on: '2025-03-01',
  due_on: '2025-03-31',
  reference: `RF ${invoice_id}`,
  ...extra,
});
const bank = (line_id: string, amount: string, reference: string, extra: Partial<BankLine> = {}): BankLine => ({
  line_id,
  amount,
  currency: 'EUR',
  booked_on: '2025-03-20',
  reference,
  ...extra,
});
/** Statement balances that tie out for the given lines (EUR only). */
const statementFor = (lines: BankLine[]) => ({
  period_start: '2025-01-01',
  period_end: '2025-12-31',
  balances: [{ currency: 'EUR', opening: '1000.00', closing: lines.reduce((s, l) => s.plus(l.amount), new Decimal('1000')).toFixed(2) }],
});
const withStatement = (invoices: Invoice[], bank_lines: BankLine[]): ReconcileInput => ({ window, invoices, bank_lines, statement: statementFor(bank_lines) });

describe('financeops examples', () => {
  const files = readdirSync(examplesDir).filter((f) => f.startsWith('financeops-') && f.endsWith('.json'));
  const expected: Record<string, string> = {
    'financeops-sufficient.json': 'sufficient',
    'financeops-partial.json': 'partial',
    'financeops-insufficient.json': 'insufficient',
  };

  it('has a sufficient, a partial and an insufficient case', () => {
    for (const name of Object.keys(expected)) assert.ok(files.includes(name), name);
  });

  for (const file of files) {
    it(`${file}: inputs validate, run gives the expected evidence status`, async () => {
      const wo = JSON.parse(readFileSync(join(examplesDir, file), 'utf8'));
      assert.equal(wo.tool, 'financeops');
      assert.equal(wo.operation, 'reconcile');
      assert.ok(inputSchema.Check(wo.inputs), JSON.stringify(inputSchema.Errors(wo.inputs)));
      const { result } = await run(wo.inputs, wo.evidence);
      if (expected[file]) assert.equal(result.evidence.status, expected[file]);
    });
  }

  it('the partial example shows every kind of open item once', async () => {
    const wo = JSON.parse(readFileSync(join(examplesDir, 'financeops-partial.json'), 'utf8'));
    const { result, codes } = await run(wo.inputs, wo.evidence);
    assert.deepEqual(result.output.counts, {
      matched: 1,
      paid_in_parts: 0,
      partially_paid: 1,
      overpaid: 0,
      duplicate_payment: 1,
      unmatched_invoices: 2,
      unmatched_bank_lines: 3,
    });
    assert.deepEqual(new Set(codes), new Set(['unmatched_bank_line', 'bank_line_not_a_credit', 'bank_line_currency_mismatch', 'duplicate_payment', 'invoice_partially_paid', 'unmatched_invoice']));
    assert.equal(result.output.unmatched_bank_lines.find((l) => l.reason === 'no_reference')?.suggested_invoice_id, 'INV-2025-0204');
    assert.equal(result.nextAction?.action, 'review_exceptions');
  });
});

describe('financeops reconcile: matching', () => {
  it('is registered as financeops 1.0.0 reconcile / finance.reconcile', () => {
    assert.equal(financeops.name, 'financeops');
    assert.equal(financeops.version, '1.0.0');
    assert.equal(financeops.operations.reconcile?.capability, 'finance.reconcile');
  });

  const single: { name: string; inv: Invoice; lines: BankLine[]; status: string; received: string; codes: string[]; reasons?: string[] }[] = [
    { name: 'exact reference, amount and currency', inv: invoice('A-1', '100.00'), lines: [bank('L1', '100.00', 'RF A-1')], status: 'matched', received: '100.00', codes: [] },
    {
      name: 'reference written differently (case, spaces, dashes)',
      inv: invoice('A-1', '100.00', { reference: 'RF18 5390 0754 7034' }),
      lines: [bank('L1', '100', 'rf18-5390-0754-7034 thanks')],
      status: 'matched',
      received: '100.00',
      codes: [],
    },
    { name: 'remittance quotes the invoice id', inv: invoice('INV-7', '50.00'), lines: [bank('L1', '50.00', 'Invoice INV-7')], status: 'matched', received: '50.00', codes: [] },
    {
      name: 'two lines summing to the invoice',
      inv: invoice('A-1', '100.00'),
      lines: [bank('L1', '60.00', 'RF A-1 part 1'), bank('L2', '40.00', 'RF A-1 part 2', { booked_on: '2025-03-25' })],
      status: 'paid_in_parts',
      received: '100.00',
      codes: [],
    },
    {
      name: 'exact decimals: 0.10 + 0.20 pay 0.30',
      inv: invoice('A-1', '0.30'),
      lines: [bank('L1', '0.10', 'RF A-1'), bank('L2', '0.20', 'RF A-1')],
      status: 'paid_in_parts',
      received: '0.30',
      codes: [],
    },
    { name: 'less than due', inv: invoice('A-1', '100.00'), lines: [bank('L1', '70.00', 'RF A-1')], status: 'partially_paid', received: '70.00', codes: ['invoice_partially_paid'] },
    { name: 'one line above the amount', inv: invoice('A-1', '100.00'), lines: [bank('L1', '110.00', 'RF A-1')], status: 'overpaid', received: '110.00', codes: ['invoice_overpaid'] },
    {
      name: 'paid twice',
      inv: invoice('A-1', '100.00'),
      lines: [bank('L1', '100.00', 'RF A-1'), bank('L2', '100.00', 'RF A-1', { booked_on: '2025-03-28' })],
      status: 'duplicate_payment',
      received: '200.00',
      codes: ['duplicate_payment'],
    },
    {
      name: 'EUR line never pays a USD invoice',
      inv: invoice('A-1', '100.00', { currency: 'USD' }),
      lines: [bank('L1', '100.00', 'RF A-1')],
      status: 'unmatched',
      received: '0.00',
      codes: ['unmatched_invoice', 'bank_line_currency_mismatch'],
      reasons: ['currency_mismatch'],
    },
    {
      name: 'reference as a prefix of another is not a match (A-1 vs A-12)',
      inv: invoice('A-1', '100.00'),
      lines: [bank('L1', '100.00', 'RF A-12')],
      status: 'unmatched',
      received: '0.00',
      codes: ['unmatched_invoice', 'unmatched_bank_line'],
      reasons: ['no_reference'],
    },
    {
      name: 'booked on the last day of the window',
      inv: invoice('A-1', '100.00'),
      lines: [bank('L1', '100.00', 'RF A-1', { booked_on: '2025-04-30' })],
      status: 'matched',
      received: '100.00',
      codes: [],
    },
    {
      name: 'booked one day after the window',
      inv: invoice('A-1', '100.00'),
      lines: [bank('L1', '100.00', 'RF A-1', { booked_on: '2025-05-01' })],
      status: 'unmatched',
      received: '0.00',
      codes: ['unmatched_invoice', 'bank_line_outside_window'],
      reasons: ['outside_window'],
    },
    {
      name: 'booked on the first day of the window (5 days before issue)',
      inv: invoice('A-1', '100.00'),
      lines: [bank('L1', '100.00', 'RF A-1', { booked_on: '2025-02-24' })],
      status: 'matched',
      received: '100.00',
      codes: [],
    },
    {
      name: 'booked one day before the window',
      inv: invoice('A-1', '100.00'),
      lines: [bank('L1', '100.00', 'RF A-1', { booked_on: '2025-02-23' })],
      status: 'unmatched',
      received: '0.00',
      codes: ['unmatched_invoice', 'bank_line_outside_window'],
      reasons: ['outside_window'],
    },
    {
      name: 'money out is never a payment, even quoting the reference',
      inv: invoice('A-1', '100.00'),
      lines: [bank('L1', '-100.00', 'RF A-1 refund')],
      status: 'unmatched',
      received: '0.00',
      codes: ['unmatched_invoice', 'bank_line_not_a_credit'],
      reasons: ['not_a_credit'],
    },
  ];
  for (const c of single) {
    it(c.name, async () => {
      const { result, codes } = await run(withStatement([c.inv], c.lines));
      const inv = result.output.invoices[0];
      assert.equal(inv?.status, c.status);
      assert.equal(inv?.received, c.received);
      assert.deepEqual(codes.sort(), [...c.codes].sort());
      assert.deepEqual(result.output.unmatched_bank_lines.map((l) => l.reason), c.reasons ?? []);
      assert.equal(result.evidence.status, c.codes.length === 0 ? 'sufficient' : 'partial');
      assert.equal(result.nextAction?.action, c.codes.length === 0 ? 'none' : 'review_exceptions');
    });
  }

  it('one finding per unmatched item, each naming it', async () => {
    const invoices = [invoice('A-1', '100.00'), invoice('A-2', '200.00'), invoice('A-3', '300.00')];
    const lines = [bank('L1', '100.00', 'RF A-1'), bank('L2', '5.00', 'coffee'), bank('L3', '7.00', 'parking')];
    const { result } = await run(withStatement(invoices, lines));
    const refs = result.evidence.exceptions.map((e) => `${e.code}:${e.ref}`).sort();
    assert.deepEqual(refs, ['unmatched_bank_line:L2', 'unmatched_bank_line:L3', 'unmatched_invoice:A-2', 'unmatched_invoice:A-3']);
  });

  it('a line quoting two invoices pays both in invoice order; the rest is an overpayment on the last', async () => {
    const invoices = [invoice('A-2', '200.00', { issued_on: '2025-03-02' }), invoice('A-1', '100.00')];
    const { result } = await run(withStatement(invoices, [bank('L1', '350.00', 'RF A-1 and RF A-2')]));
    assert.deepEqual(
      result.output.allocations.map((a) => [a.invoice_id, a.amount]),
      [
        ['A-1', '100.00'],
        ['A-2', '250.00'],
      ],
    );
    assert.deepEqual(result.output.invoices.map((i) => i.status), ['matched', 'overpaid']);
  });

  it('a repeat of an already settled invoice in a combined payment is booked as its duplicate', async () => {
    const invoices = [invoice('A-1', '100.00'), invoice('A-2', '200.00', { issued_on: '2025-03-02' })];
    const lines = [bank('L1', '100.00', 'RF A-1'), bank('L2', '300.00', 'RF A-1 RF A-2', { booked_on: '2025-03-21' })];
    const { result } = await run(withStatement(invoices, lines));
    assert.deepEqual(result.output.invoices.map((i) => [i.invoice_id, i.status, i.received]), [
      ['A-1', 'duplicate_payment', '200.00'],
      ['A-2', 'matched', '200.00'],
    ]);
  });

  it('an unreferenced line that fits one open invoice is suggested, not applied', async () => {
    const { result } = await run(withStatement([invoice('A-1', '428.00'), invoice('A-2', '99.00')], [bank('L1', '428.00', 'Rechnung März')]));
    assert.equal(result.output.invoices[0]?.status, 'unmatched');
    assert.equal(result.output.unmatched_bank_lines[0]?.suggested_invoice_id, 'A-1');
    assert.match(result.evidence.exceptions.find((e) => e.ref === 'A-1')?.message ?? '', /L1 fits it/);
  });

  it('two invoices sharing a reference are flagged for repair', async () => {
    const invoices = [invoice('A-1', '100.00', { reference: 'RF 55' }), invoice('A-2', '100.00', { reference: 'rf-55' })];
    const { codes, result } = await run(withStatement(invoices, [bank('L1', '200.00', 'RF55')]));
    assert.ok(codes.includes('duplicate_invoice_reference'));
    assert.equal(result.nextAction?.action, 'repair_inputs');
  });

  it('a bank line exported twice is counted once', async () => {
    const line = bank('L1', '100.00', 'RF A-1');
    const input = withStatement([invoice('A-1', '100.00')], [line]);
    input.bank_lines = [line, { ...line }];
    const { result, codes } = await run(input);
    assert.deepEqual(codes, ['duplicate_bank_line']);
    assert.equal(result.output.invoices[0]?.status, 'matched');
  });

  it('totals are per currency, never converted', async () => {
    const invoices = [invoice('E-1', '100.00'), invoice('U-1', '300.00', { currency: 'USD' }), invoice('J-1', '5000', { currency: 'JPY' })];
    const lines = [bank('L1', '100.00', 'RF E-1'), bank('L2', '250.00', 'RF U-1', { currency: 'USD' }), bank('L3', '5000', 'RF J-1', { currency: 'JPY' })];
    const { result } = await run({ window, invoices, bank_lines: lines });
    assert.deepEqual(
      result.output.totals.map((t) => [t.currency, t.invoiced, t.received, t.outstanding]),
      [
        ['EUR', '100.00', '100.00', '0.00'],
        ['JPY', '5000', '5000', '0'],
        ['USD', '300.00', '250.00', '50.00'],
      ],
    );
    assert.deepEqual(result.output.differences, [{ invoice_id: 'U-1', currency: 'USD', expected: '300.00', received: '250.00', difference: '-50.00' }]);
  });

  const repairs: { name: string; inv: Invoice; line: BankLine; code: string }[] = [
    { name: 'unknown currency', inv: invoice('A-1', '100.00', { currency: 'XAU' }), line: bank('L1', '100.00', 'RF A-1', { currency: 'XAU' }), code: 'unknown_currency' },
    { name: 'JPY with decimals', inv: invoice('A-1', '100.5', { currency: 'JPY' }), line: bank('L1', '100.5', 'RF A-1', { currency: 'JPY' }), code: 'amount_precision_exceeds_currency' },
  ];
  for (const r of repairs) {
    it(`repair finding: ${r.name}`, async () => {
      const { codes, result } = await run({ window, invoices: [r.inv], bank_lines: [r.line] });
      assert.deepEqual(codes, [r.code, r.code]);
      assert.equal(result.output.invoices[0]?.status, 'matched');
      assert.equal(result.nextAction?.action, 'repair_inputs');
    });
  }

  const unprocessable: { name: string; input: ReconcileInput; code: string }[] = [
    { name: 'invoice id used twice', input: { window, invoices: [invoice('A-1', '1.00'), invoice('A-1', '2.00')], bank_lines: [] }, code: 'duplicate_invoice_id' },
    { name: 'due before issued', input: { window, invoices: [invoice('A-1', '1.00', { due_on: '2025-02-01' })], bank_lines: [] }, code: 'invoice_dates_inverted' },
    { name: 'not a calendar date', input: { window, invoices: [], bank_lines: [bank('L1', '1.00', 'x', { booked_on: '2025-02-30' })] }, code: 'invalid_date' },
    {
      name: 'statement period inverted',
      input: { window, invoices: [], bank_lines: [], statement: { period_start: '2025-03-31', period_end: '2025-03-01', balances: [{ currency: 'EUR', opening: '0', closing: '0' }] } },
      code: 'statement_period_inverted',
    },
  ];
  for (const u of unprocessable) {
    it(`unprocessable: ${u.name} → non-retryable ${u.code}`, async () => {
      await assert.rejects(reconcileOperation.run(fakeCtx().ctx, u.input), (e: unknown) => e instanceof ToolError && e.code === u.code && !e.retryable);
    });
  }
});

describe('financeops statement balances', () => {
  it('a gap between opening + lines and closing means the export is incomplete', async () => {
    const lines = [bank('L1', '100.00', 'RF A-1')];
    const input = withStatement([invoice('A-1', '100.00')], lines);
    input.statement!.balances[0]!.closing = '1150.00';
    const { result, codes } = await run(input);
    assert.deepEqual(codes, ['statement_balance_mismatch']);
    assert.deepEqual(result.output.statement?.balances[0], {
      currency: 'EUR',
      opening: '1000.00',
      movements: '100.00',
      expected_closing: '1100.00',
      closing: '1150.00',
      difference: '50.00',
    });
    assert.match(result.summary, /do not tie out in EUR/);
  });

  it('lines outside the period and currencies without a balance are flagged', async () => {
    const lines = [bank('L1', '100.00', 'RF A-1', { booked_on: '2025-03-20' }), bank('L2', '10.00', 'x', { currency: 'USD' })];
    const input: ReconcileInput = {
      window,
      invoices: [invoice('A-1', '100.00')],
      bank_lines: lines,
      statement: { period_start: '2025-01-01', period_end: '2025-03-15', balances: [{ currency: 'EUR', opening: '0.00', closing: '100.00' }] },
    };
    const { codes } = await run(input);
    assert.deepEqual(codes.sort(), ['bank_line_outside_statement_period', 'bank_line_outside_statement_period', 'statement_balance_missing', 'unmatched_bank_line']);
  });
});

describe('financeops evidence', () => {
  const full = () => withStatement([invoice('A-1', '100.00')], [bank('L1', '100.00', 'RF A-1')]);
  const cases: { name: string; drop: (keyof ReconcileInput)[]; status: string; missing: string[]; action: string }[] = [
    { name: 'everything supplied and reconciled', drop: [], status: 'sufficient', missing: [], action: 'none' },
    { name: 'no statement balances', drop: ['statement'], status: 'partial', missing: ['statement_balances'], action: 'supply_evidence' },
    { name: 'no bank export', drop: ['bank_lines'], status: 'insufficient', missing: ['bank_export'], action: 'supply_evidence' },
    { name: 'no invoices', drop: ['invoices'], status: 'insufficient', missing: ['invoice_register'], action: 'supply_evidence' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const input = full();
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

  it('without a bank export, unmatched invoices are not reported one by one', async () => {
    const { codes, result } = await run({ window, invoices: [invoice('A-1', '100.00')] });
    assert.deepEqual(codes, []);
    assert.match(result.summary, /no bank export was supplied/);
  });

  it('evidence declared but absent from the inputs is a finding', async () => {
    const input = full();
    delete input.statement;
    const { codes, result } = await run(input, [{ item: 'statement_balances', ref: 'camt053:2025-03' }]);
    assert.deepEqual(codes, ['evidence_declared_not_in_inputs']);
    assert.equal(result.nextAction?.action, 'repair_inputs');
  });

  it('issues exactly one reconciliation_statement receipt', async () => {
    const { receipts, result } = await run(full());
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0]?.kind, 'reconciliation_statement');
    assert.deepEqual(receipts[0]?.body.totals, result.output.totals);
    assert.equal(receipts[0]?.body.evidence_status, 'sufficient');
  });
});

describe('financeops determinism, identities, progress and cancellation', () => {
  const arbInput = fc
    .record({
      invoices: fc.array(
        fc.record({ amount: fc.integer({ min: 1, max: 50_000 }), currency: fc.constantFrom('EUR', 'USD'), day: fc.integer({ min: 1, max: 28 }) }),
        { maxLength: 8 },
      ),
      lines: fc.array(
        fc.record({
          amount: fc.integer({ min: -5_000, max: 50_000 }),
          currency: fc.constantFrom('EUR', 'USD'),
          day: fc.integer({ min: 1, max: 28 }),
          refs: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }),
        }),
        { maxLength: 12 },
      ),
    })
    .map(({ invoices, lines }): ReconcileInput => {
      const cents = (n: number) => `${n < 0 ? '-' : ''}${Math.floor(Math.abs(n) / 100)}.${String(Math.abs(n) % 100).padStart(2, '0')}`;
      const date = (d: number) => `2025-04-${String(d).padStart(2, '0')}`;
      return {
        window: { days_before_issue: 3, days_after_due: 10 },
        invoices: invoices.map((i, k) => invoice(`I-${k}`, cents(i.amount), { currency: i.currency, issued_on: date(i.day), due_on: date(Math.min(28, i.day + 7)) })),
        bank_lines: lines.map((l, k) => bank(`L-${k}`, cents(l.amount), l.refs.map((r) => `RF I-${r}`).join(' / '), { currency: l.currency, booked_on: date(l.day) })),
      };
    });

  it('property: received = applied + overpaid + unapplied, invoiced = applied + outstanding, per currency', async () => {
    await fc.assert(
      fc.asyncProperty(arbInput, async (input) => {
        const { result } = await run(input);
        for (const t of result.output.totals) {
          assert.ok(new Decimal(t.applied).plus(t.overpaid).plus(t.unapplied).eq(t.received), JSON.stringify(t));
          assert.ok(new Decimal(t.applied).plus(t.outstanding).eq(t.invoiced), JSON.stringify(t));
        }
        const allocated = result.output.allocations.reduce((s, a) => s.plus(a.amount), new Decimal(0));
        const received = result.output.invoices.reduce((s, i) => s.plus(i.received), new Decimal(0));
        assert.ok(allocated.eq(received));
      }),
      { numRuns: 200 },
    );
  });

  it('property: the order of invoices and lines in the input does not change the result', async () => {
    await fc.assert(
      fc.asyncProperty(arbInput, fc.integer(), async (input, seed) => {
        const shuffle = <T>(xs: T[]) => xs.map((x, i) => ({ x, k: (i * 7919 + seed) % 104729 })).sort((a, b) => a.k - b.k).map((p) => p.x);
        const a = await run(input);
        const b = await run({ ...input, invoices: shuffle(input.invoices ?? []), bank_lines: shuffle(input.bank_lines ?? []).reverse() });
        assert.equal(JSON.stringify(a.result), JSON.stringify(b.result));
        assert.equal(JSON.stringify(a.receipts), JSON.stringify(b.receipts));
      }),
      { numRuns: 100 },
    );
  });

  it('heartbeats while matching a large export', async () => {
    const invoices = Array.from({ length: 500 }, (_, i) => invoice(`I-${i}`, '10.00'));
    const lines = Array.from({ length: 2500 }, (_, i) => bank(`L-${String(i).padStart(5, '0')}`, '2.00', `RF I-${i % 500}`));
    const { result, heartbeats } = await run({ window, invoices, bank_lines: lines });
    assert.ok(heartbeats.length >= 3, `heartbeats: ${heartbeats.length}`);
    assert.equal(result.output.counts.paid_in_parts, 500);
  });

  it('stops with a non-retryable ToolError when the signal is aborted', async () => {
    const controller = new AbortController();
    const f = fakeCtx([], controller);
    f.ctx.heartbeat = async () => controller.abort();
    const lines = Array.from({ length: 1500 }, (_, i) => bank(`L-${i}`, '1.00', 'x'));
    await assert.rejects(reconcileOperation.run(f.ctx, { window, invoices: [], bank_lines: lines }), (e: unknown) => e instanceof ToolError && e.code === 'aborted' && !e.retryable);
    assert.equal(f.receipts.length, 0);
  });
});
