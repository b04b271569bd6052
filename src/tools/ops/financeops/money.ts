/** FinanceOps uses the shared money helpers as they are. */
export { Dec, ZERO, exceedsMinorUnits, formatMoney, groupDigits, minorUnits } from '../../money.js';
