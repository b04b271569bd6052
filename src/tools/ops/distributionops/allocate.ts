/** Largest-remainder (Hamilton) allocation of an integer amount pro rata to integer weights. Exact. */

export interface Weight {
  id: string;
  weight: bigint;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Splits `total` (minor units) in proportion to positive `weights`: each share is floor(total·w/W),
 * then the leftover units go one each to the largest remainders, ties to the smaller id.
 * The shares always sum to `total`, and each is within one unit of its exact quota.
 */
export function allocateLargestRemainder(total: bigint, weights: readonly Weight[]): Map<string, bigint> {
  if (total < 0n) throw new RangeError('total must not be negative');
  const sum = weights.reduce((s, w) => s + w.weight, 0n);
  if (sum <= 0n || weights.some((w) => w.weight <= 0n)) throw new RangeError('weights must be positive');
  const shares = new Map<string, bigint>();
  const remainders: { id: string; remainder: bigint }[] = [];
  let allocated = 0n;
  for (const w of weights) {
    const product = total * w.weight;
    const share = product / sum; // BigInt division floors for non-negative operands
    shares.set(w.id, share);
    remainders.push({ id: w.id, remainder: product % sum });
    allocated += share;
  }
  // Remainders share the denominator W, so comparing numerators compares the fractions exactly.
  remainders.sort((a, b) => (a.remainder === b.remainder ? compareIds(a.id, b.id) : a.remainder > b.remainder ? -1 : 1));
  let leftover = total - allocated;
  for (const r of remainders) {
    if (leftover === 0n) break;
    shares.set(r.id, shares.get(r.id)! + 1n);
    leftover--;
  }
  return shares;
}
