/** Tool Execution Result Events: CloudEvents 1.0 written back to runtime state. */
import { Type, type Static } from 'typebox';
import { EventId, TenantId, Timestamp } from './common.js';

export const EventTypes = [
  'bindrail.binding.created',
  'bindrail.queue.leased',
  'bindrail.tool.progress',
  'bindrail.attempt.failed',
  'bindrail.result.ready',
  'bindrail.exception.raised',
  'bindrail.receipt.issued',
  'bindrail.ledger.appended',
  'bindrail.attestation.issued',
  'bindrail.callback.delivered',
  'bindrail.callback.failed',
  'bindrail.binding.cancelled',
  'bindrail.binding.replayed',
  'bindrail.binding.retry_scheduled',
  // A worker shutting down gave its lease back unfinished; the attempt was not spent.
  'bindrail.queue.released',
] as const;
export type EventType = (typeof EventTypes)[number];

export const ResultEvent = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    id: EventId,
    source: Type.String({ description: 'URI reference of the rail, e.g. /bindrail/<tenant>.' }),
    type: Type.Unsafe<EventType>({ type: 'string', enum: [...EventTypes] }),
    time: Timestamp,
    subject: Type.String({ description: 'The binding id.' }),
    datacontenttype: Type.Literal('application/json'),
    seq: Type.Integer({ minimum: 1, description: 'Per-binding sequence number, 1, 2, 3…' }),
    tenant_id: TenantId,
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type ResultEvent = Static<typeof ResultEvent>;
