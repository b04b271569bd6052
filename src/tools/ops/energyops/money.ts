/** EnergyOps money and quantities: the shared helpers, plus megawatt comparison. */
import { Dec } from '../../money.js';

export { Dec, formatMoney, groupDigits, minorUnits } from '../../money.js';

/** Equal as quantities: "150" and "150.0" are the same capacity. */
export function sameQuantity(a: string, b: string): boolean {
  return new Dec(a).eq(new Dec(b));
}
