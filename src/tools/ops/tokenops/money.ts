/** TokenOps money: the shared helpers, plus credits, which are plain decimals without a currency. */
import type { Dec } from '../../money.js';

export { Dec, ZERO, exceedsMinorUnits, formatMoney, groupDigits, minorUnits } from '../../money.js';

/** Credits as plain decimal text, never exponent notation ("1840.5"). */
export function formatCredits(credits: Dec): string {
  return credits.toFixed();
}
