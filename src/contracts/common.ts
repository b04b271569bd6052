/** Shared building blocks of the public objects: ids, digests, timestamps, enums. */
import { Type, type Static } from 'typebox';

export const Digest = Type.String({
  pattern: '^sha256:[0-9a-f]{64}$',
  description: 'SHA-256 of the canonical (RFC 8785) JSON or raw bytes, written sha256:<hex>.',
  examples: ['sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
});

export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp, UTC.' });

/** Prefixed, time-sortable ids (UUIDv7 hex after the prefix). */
export function PrefixedId(prefix: string, description: string) {
  return Type.String({ pattern: `^${prefix}_[0-9a-f]{32}$`, maxLength: 64, description });
}

export const WorkOrderId = PrefixedId('wo', 'Work Order id.');
export const BindingId = PrefixedId('bnd', 'Execution Binding id.');
export const CommandId = PrefixedId('cmd', 'Tool Execution Command id; the tool\'s idempotency key, stable across attempts.');
export const ReceiptId = PrefixedId('rcp', 'Receipt id.');
export const EventId = PrefixedId('evt', 'Result Event id.');
export const ExceptionId = PrefixedId('exc', 'Exception ticket id.');
export const TenantId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'Tenant id.' });

export const Name = Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$', description: 'A lowercase identifier.' });

export const BindingState = Type.Union(
  [
    Type.Literal('queued'),
    Type.Literal('leased'),
    Type.Literal('retry_wait'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
    Type.Literal('cancelled'),
  ],
  { description: 'queued → leased → (succeeded | retry_wait → queued | failed | cancelled)' },
);
export type BindingState = Static<typeof BindingState>;

export const TerminalState = Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]);
export type TerminalState = Static<typeof TerminalState>;

export const EvidenceStatus = Type.Union([
  Type.Literal('sufficient'),
  Type.Literal('partial'),
  Type.Literal('insufficient'),
]);
export type EvidenceStatus = Static<typeof EvidenceStatus>;

export const NextAction = Type.Union(
  [
    Type.Literal('none'),
    Type.Literal('supply_evidence'),
    Type.Literal('review_exceptions'),
    Type.Literal('repair_inputs'),
    Type.Literal('replay'),
    Type.Literal('retry'),
    Type.Literal('contact_tool_owner'),
    Type.Literal('wait'),
  ],
  { description: 'What should happen next to move this work on.' },
);
export type NextAction = Static<typeof NextAction>;

/** A problem found while reviewing evidence or running a tool (not a transport error). */
export const Finding = Type.Object(
  {
    code: Type.String({ maxLength: 100 }),
    message: Type.String({ maxLength: 2000 }),
    item: Type.Optional(Type.String({ maxLength: 200 })),
    ref: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type Finding = Static<typeof Finding>;

export const EvidenceReview = Type.Object(
  {
    status: EvidenceStatus,
    missing: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000 }),
    exceptions: Type.Array(Finding, { maxItems: 10000 }),
  },
  { additionalProperties: false },
);
export type EvidenceReview = Static<typeof EvidenceReview>;

export const ToolRef = Type.Object(
  { name: Name, version: Type.String({ maxLength: 50 }) },
  { additionalProperties: false },
);
export type ToolRef = Static<typeof ToolRef>;

export const Metadata = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 1000 }), {
  maxProperties: 50,
  description: 'Free string labels, echoed back, never interpreted.',
});
