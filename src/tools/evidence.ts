/** Evidence-review pieces the operating tools share: declared-but-absent evidence and the supply-what-is-missing action. */
import type { EvidenceReview, Finding, NextAction } from '../contracts/common.js';
import type { EvidenceRef } from '../contracts/work-order.js';
import type { EvidenceItemSpec } from './sdk.js';

/** A finding for each checklist item the Work Order declares evidence for but whose data the inputs do not carry. */
export function declaredButAbsent(checklist: EvidenceItemSpec[], has: Record<string, boolean>, declared: EvidenceRef[]): Finding[] {
  const items = new Set(checklist.map((c) => c.item));
  return declared
    .filter((d) => items.has(d.item) && !has[d.item])
    .map((d) => ({
      code: 'evidence_declared_not_in_inputs',
      message: `Evidence for ${d.item} is declared${d.ref ? ` (${d.ref})` : ''} but its data is not in the inputs, so it cannot be checked.`,
      item: d.item,
      ...(d.ref ? { ref: d.ref } : {}),
    }));
}

/** For an insufficient review: supply the missing required items, ideally with the optional ones. */
export function supplyMissing(checklist: EvidenceItemSpec[], evidence: EvidenceReview): { action: NextAction; detail: string } {
  const required = new Set(checklist.filter((c) => c.required).map((c) => c.item));
  const must = evidence.missing.filter((m) => required.has(m));
  const may = evidence.missing.filter((m) => !required.has(m));
  return {
    action: 'supply_evidence',
    detail: `supply ${must.join(', ')} (required)${may.length > 0 ? `, ideally with ${may.join(', ')}` : ''}, and run again.`,
  };
}

/** "3 findings: a, b." — the distinct finding codes, for a human summary. */
export function findingsSentence(exceptions: Finding[], plural: (n: number, word: string) => string): string | undefined {
  if (exceptions.length === 0) return undefined;
  const codes = [...new Set(exceptions.map((e) => e.code))].sort().join(', ');
  return `${plural(exceptions.length, 'finding')}: ${codes}.`;
}
