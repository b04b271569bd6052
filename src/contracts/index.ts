/** The public vocabulary of bindrail: every object on the wire is declared here. */
export * from './common.js';
export * from './work-order.js';
export * from './work-order-batch.js';
export * from './execution-binding.js';
export * from './tool-command.js';
export * from './receipt.js';
export * from './exception-ticket.js';
export * from './result-contract.js';
export * from './result-event.js';
export * from './problem.js';
export * from './attestation.js';
export * from './ledger.js';
export * from './errors.js';
export * from './callback-delivery.js';
export * from './queue-monitor.js';
export * from './tenancy.js';
