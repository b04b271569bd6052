/** EnergyOps input and output schemas: an interconnection packet and its readiness statement. */
import { Type, type Static } from 'typebox';
import { Finding } from '../../../contracts/common.js';

export const IsoDate = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
  description: 'Calendar date YYYY-MM-DD.',
});

/** Megawatts as a decimal string, e.g. "150" or "99.5". */
export const Megawatts = Type.String({ pattern: '^\\d{1,7}(\\.\\d{1,6})?$', maxLength: 14, description: 'MW, decimal string.' });
export const MegawattHours = Type.String({ pattern: '^\\d{1,8}(\\.\\d{1,6})?$', maxLength: 15, description: 'MWh, decimal string.' });
export const Hours = Type.String({ pattern: '^\\d{1,4}(\\.\\d{1,6})?$', maxLength: 11, description: 'Hours, decimal string.' });
export const MoneyAmount = Type.String({ pattern: '^\\d{1,15}(\\.\\d{1,6})?$', maxLength: 22, description: 'Non-negative amount, decimal string.' });
export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. USD.' });

export const Territory = Type.Union(
  [
    Type.Literal('CAISO'),
    Type.Literal('PJM'),
    Type.Literal('ERCOT'),
    Type.Literal('MISO'),
    Type.Literal('NYISO'),
    Type.Literal('SPP'),
    Type.Literal('ISO-NE'),
  ],
  { description: 'ISO/RTO whose queue the project is in.' },
);

export const Technology = Type.Union([
  Type.Literal('solar'),
  Type.Literal('wind'),
  Type.Literal('storage'),
  Type.Literal('hybrid'),
  Type.Literal('gas'),
]);

export const Stage = Type.Union([Type.Literal('application'), Type.Literal('study'), Type.Literal('agreement')], {
  description:
    'application: studies not expected yet; study: missing studies → partial; agreement (interconnection agreement): missing studies → insufficient.',
});

/** Queue positions and application numbers as the ISO writes them (AG1-123, 21INR0456, J1234…). */
export const QueueIdentifier = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 _./#:-]{0,63}$' });
const Ref = Type.String({ minLength: 1, maxLength: 500, description: 'Where the document is held.' });

export const SiteControl = Type.Object(
  {
    type: Type.Union([
      Type.Literal('ownership'),
      Type.Literal('lease'),
      Type.Literal('option'),
      Type.Literal('easement'),
      Type.Literal('exclusivity_agreement'),
    ]),
    expires_on: Type.Optional(IsoDate),
    ref: Type.Optional(Ref),
  },
  { additionalProperties: false, description: 'Valid through expires_on (inclusive); no date = no expiry.' },
);

export const StorageSpec = Type.Object(
  { power_mw: Type.Optional(Megawatts), energy_mwh: Type.Optional(MegawattHours), duration_hours: Type.Optional(Hours) },
  { additionalProperties: false },
);

export const ProjectContext = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    territory: Territory,
    capacity_mw: Megawatts,
    technology: Technology,
    storage: Type.Optional(StorageSpec),
    queue_id: Type.Optional(QueueIdentifier),
    application_id: Type.Optional(QueueIdentifier),
    site_control: Type.Optional(SiteControl),
  },
  { additionalProperties: false },
);

export const ApplicationDoc = Type.Object(
  {
    kind: Type.Literal('interconnection_application'),
    ref: Ref,
    submitted_on: Type.Optional(IsoDate),
    territory: Type.Optional(Territory),
    technology: Type.Optional(Technology),
    capacity_mw: Type.Optional(Megawatts),
    queue_id: Type.Optional(QueueIdentifier),
    application_id: Type.Optional(QueueIdentifier),
  },
  { additionalProperties: false },
);

export const SingleLineDiagramDoc = Type.Object(
  {
    kind: Type.Literal('single_line_diagram'),
    ref: Ref,
    revision: Type.Optional(Type.String({ maxLength: 20 })),
    dated_on: Type.Optional(IsoDate),
    capacity_mw: Type.Optional(Megawatts),
  },
  { additionalProperties: false },
);

export const StudyKind = Type.Union([
  Type.Literal('feasibility_study'),
  Type.Literal('system_impact_study'),
  Type.Literal('facilities_study'),
]);
export type StudyKind = Static<typeof StudyKind>;

export const StudyDoc = Type.Object(
  {
    kind: StudyKind,
    ref: Ref,
    status: Type.Union([Type.Literal('complete'), Type.Literal('in_progress'), Type.Literal('not_started')]),
    completed_on: Type.Optional(IsoDate),
    capacity_mw: Type.Optional(Megawatts),
  },
  { additionalProperties: false, description: 'ISO study names map here (e.g. PJM Phase 1/2/3, ERCOT screening/FIS).' },
);

export const PermitDoc = Type.Object(
  {
    kind: Type.Literal('permit'),
    ref: Ref,
    permit_type: Type.String({ minLength: 1, maxLength: 100, description: 'e.g. conditional use permit, CEQA, stormwater.' }),
    authority: Type.Optional(Type.String({ maxLength: 200 })),
    issued_on: Type.Optional(IsoDate),
    expires_on: Type.Optional(IsoDate),
  },
  { additionalProperties: false, description: 'Pending until issued_on; valid through expires_on (inclusive).' },
);

export const PacketDocument = Type.Union([ApplicationDoc, SingleLineDiagramDoc, StudyDoc, PermitDoc]);
export type PacketDocument = Static<typeof PacketDocument>;

export const FeeType = Type.Union([
  Type.Literal('application_fee'),
  Type.Literal('study_deposit'),
  Type.Literal('readiness_deposit'),
  Type.Literal('site_control_deposit'),
  Type.Literal('other'),
]);

export const Fee = Type.Object(
  {
    fee_type: FeeType,
    description: Type.Optional(Type.String({ maxLength: 200 })),
    amount_due: MoneyAmount,
    amount_paid: MoneyAmount,
    currency: CurrencyCode,
    due_on: Type.Optional(IsoDate),
    paid_on: Type.Optional(IsoDate),
    ref: Type.Optional(Ref),
  },
  { additionalProperties: false },
);
export type Fee = Static<typeof Fee>;

export const Milestone = Type.Object(
  {
    milestone_id: QueueIdentifier,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    due_on: IsoDate,
    completed_on: Type.Optional(IsoDate),
    ref: Type.Optional(Ref),
  },
  { additionalProperties: false, description: 'Open after due_on (one day late counts) unless completed on or before as_of.' },
);
export type Milestone = Static<typeof Milestone>;

export const AssessReadinessInput = Type.Object(
  {
    project: ProjectContext,
    as_of: IsoDate,
    stage: Type.Optional(Stage),
    documents: Type.Optional(Type.Array(PacketDocument, { maxItems: 500 })),
    fees: Type.Optional(Type.Array(Fee, { maxItems: 200 })),
    milestones: Type.Optional(Type.Array(Milestone, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export type AssessReadinessInput = Static<typeof AssessReadinessInput>;

export const ItemReadiness = Type.Union([
  Type.Literal('ready'),
  Type.Literal('missing'),
  Type.Literal('expired'),
  Type.Literal('overdue'),
  Type.Literal('pending'),
  Type.Literal('not_required'),
]);
export type ItemReadiness = Static<typeof ItemReadiness>;

export const ChecklistLine = Type.Object(
  {
    item: Type.String({ maxLength: 100 }),
    required: Type.Boolean(),
    readiness: ItemReadiness,
    detail: Type.String({ maxLength: 1000 }),
    refs: Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 500 }),
  },
  { additionalProperties: false },
);
export type ChecklistLine = Static<typeof ChecklistLine>;

export const MilestoneLine = Type.Object(
  {
    milestone_id: Type.String({ maxLength: 64 }),
    name: Type.String({ maxLength: 200 }),
    due_on: IsoDate,
    completed_on: Type.Union([IsoDate, Type.Null()]),
    status: Type.Union([Type.Literal('completed'), Type.Literal('completed_late'), Type.Literal('open'), Type.Literal('overdue')]),
    days_overdue: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type MilestoneLine = Static<typeof MilestoneLine>;

export const FeeLine = Type.Object(
  {
    fee_type: FeeType,
    description: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
    currency: Type.String({ maxLength: 3 }),
    amount_due: Type.String({ maxLength: 40 }),
    amount_paid: Type.String({ maxLength: 40 }),
    balance: Type.String({ maxLength: 40, description: 'amount_due − amount_paid; negative when overpaid.' }),
    due_on: Type.Union([IsoDate, Type.Null()]),
    status: Type.Union([Type.Literal('paid'), Type.Literal('unpaid'), Type.Literal('overdue'), Type.Literal('overpaid')]),
  },
  { additionalProperties: false },
);
export type FeeLine = Static<typeof FeeLine>;

export const FeeTotal = Type.Object(
  {
    currency: Type.String({ maxLength: 3 }),
    amount_due: Type.String({ maxLength: 40 }),
    amount_paid: Type.String({ maxLength: 40 }),
    balance: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
);

export const AssessReadinessOutput = Type.Object(
  {
    project: Type.Object(
      {
        name: Type.String({ maxLength: 200 }),
        territory: Type.String({ maxLength: 10 }),
        technology: Technology,
        capacity_mw: Megawatts,
        queue_id: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
        application_id: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    as_of: IsoDate,
    stage: Stage,
    overall: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    checklist: Type.Array(ChecklistLine, { maxItems: 20 }),
    milestones: Type.Array(MilestoneLine, { maxItems: 500 }),
    overdue_milestones: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 }),
    fees: Type.Array(FeeLine, { maxItems: 200 }),
    fee_totals: Type.Array(FeeTotal, { maxItems: 200 }),
    findings: Type.Array(Finding, { maxItems: 5000 }),
    next_steps: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 5000 }),
  },
  { additionalProperties: false },
);
export type AssessReadinessOutput = Static<typeof AssessReadinessOutput>;
