/** Does the settled payment answer its payment request: same request, currency and amount? */
import type { Finding } from '../../../contracts/common.js';
import { Dec, exceedsMinorUnits, formatMoney, minorUnits } from './money.js';
import type { PaymentRequest, SettleOutput, SettlementReference } from './schemas.js';

export interface PaymentReview {
  payment: SettleOutput['payment'];
  findings: Finding[];
}

function currencyFindings(item: string, ref: string, amount: string, currency: string): Finding[] {
  if (minorUnits(currency) === undefined) {
    return [{ code: 'unknown_currency', message: `${currency} is not a currency this tool knows; amounts in it are not checked.`, item, ref }];
  }
  if (exceedsMinorUnits(new Dec(amount), currency)) {
    return [
      {
        code: 'amount_precision_exceeds_currency',
        message: `${currency} ${amount} has more decimal places than ${currency} allows (${minorUnits(currency)}).`,
        item,
        ref,
      },
    ];
  }
  return [];
}

/** Checks the settlement against the request; either may be absent (that is the checklist's concern). */
export function reviewPayment(settlement: SettlementReference | undefined, request: PaymentRequest | undefined): PaymentReview {
  const findings: Finding[] = [];
  if (settlement) findings.push(...currencyFindings('settlement_reference', settlement.payment_id, settlement.amount, settlement.currency));
  if (request) findings.push(...currencyFindings('payment_request', request.request_id, request.amount, request.currency));

  if (settlement && request) {
    if (settlement.request_id !== request.request_id) {
      findings.push({
        code: 'settlement_request_mismatch',
        message: `Payment ${settlement.payment_id} answers request ${settlement.request_id}, but the request supplied is ${request.request_id}.`,
        item: 'settlement_reference',
        ref: settlement.payment_id,
      });
    }
    if (settlement.currency !== request.currency) {
      findings.push({
        code: 'payment_currency_mismatch',
        message: `Payment ${settlement.payment_id} is in ${settlement.currency}, the request in ${request.currency}; amounts are not converted.`,
        item: 'settlement_reference',
        ref: settlement.payment_id,
      });
    } else if (!new Dec(settlement.amount).eq(request.amount)) {
      const paid = new Dec(settlement.amount);
      const asked = new Dec(request.amount);
      findings.push({
        code: 'payment_amount_mismatch',
        message:
          `Payment ${settlement.payment_id} settled ${settlement.currency} ${formatMoney(paid, settlement.currency)} ` +
          `but request ${request.request_id} asked for ${request.currency} ${formatMoney(asked, request.currency)} ` +
          `(difference ${formatMoney(paid.minus(asked), settlement.currency)}).`,
        item: 'settlement_reference',
        ref: settlement.payment_id,
      });
    }
  }

  const payment: SettleOutput['payment'] = settlement
    ? {
        payment_id: settlement.payment_id,
        request_id: settlement.request_id,
        currency: settlement.currency,
        amount: formatMoney(new Dec(settlement.amount), settlement.currency),
        requested_amount: request ? formatMoney(new Dec(request.amount), request.currency) : null,
        settled_at: settlement.settled_at,
      }
    : null;
  return { payment, findings };
}
