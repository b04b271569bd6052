/**
 * Finding invoice references in bank remittance text.
 *
 * A reference is normalised to its upper-case letters and digits ("RF18 5390 0754 7034" →
 * "RF18539007547034", "inv-2025-0042" → "INV20250042"). The remittance text is split into
 * tokens at every other character, and a reference is found when some run of consecutive tokens
 * joins to exactly the normalised reference. So "Zahlung INV-2025-0042 danke" finds INV-2025-0042,
 * while "INV-2025-00421" does not (no token boundary after 0042) — a whole-token match, not a
 * substring search.
 */

/** Upper-case letters and digits only. */
export function normalizeReference(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]+/g, '');
}

function tokens(text: string): string[] {
  return text.toUpperCase().split(/[^A-Z0-9]+/).filter((t) => t.length > 0);
}

export interface ReferenceIndex {
  /** Normalised key → indexes of the invoices it names (several when a key is shared). */
  byKey: Map<string, number[]>;
  longestKey: number;
}

/** Indexes each invoice under its reference and its invoice id (remittances quote either). */
export function indexReferences(invoices: { invoice_id: string; reference: string }[]): ReferenceIndex {
  const byKey = new Map<string, number[]>();
  let longestKey = 0;
  invoices.forEach((inv, i) => {
    for (const key of new Set([normalizeReference(inv.reference), normalizeReference(inv.invoice_id)])) {
      if (key.length === 0) continue;
      const list = byKey.get(key) ?? [];
      list.push(i);
      byKey.set(key, list);
      longestKey = Math.max(longestKey, key.length);
    }
  });
  return { byKey, longestKey };
}

/** Indexes of the invoices whose reference or id appears in the remittance text, ascending. */
export function findReferences(index: ReferenceIndex, remittance: string): number[] {
  const found = new Set<number>();
  const t = tokens(remittance);
  for (let i = 0; i < t.length; i++) {
    let joined = '';
    for (let j = i; j < t.length; j++) {
      joined += t[j];
      if (joined.length > index.longestKey) break;
      for (const k of index.byKey.get(joined) ?? []) found.add(k);
    }
  }
  return [...found].sort((a, b) => a - b);
}
