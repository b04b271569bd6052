/** Readiness of the document checklist items: application, site control, single-line diagram, studies, permits. */
import { dayNumber } from './dates.js';
import { issue, type Issue } from './issue.js';
import type { AssessReadinessInput, ChecklistLine, PacketDocument, StudyKind } from './schemas.js';

export interface ItemResult {
  line: ChecklistLine;
  issues: Issue[];
}

type Stage = NonNullable<AssessReadinessInput['stage']>;
type StudyDoc = Extract<PacketDocument, { kind: StudyKind }>;
type PermitDoc = Extract<PacketDocument, { kind: 'permit' }>;
type SiteControl = NonNullable<AssessReadinessInput['project']['site_control']>;

export const ITEM_LABELS: Readonly<Record<string, string>> = {
  interconnection_application: 'interconnection application',
  site_control: 'site control evidence',
  single_line_diagram: 'single-line diagram',
  feasibility_study: 'feasibility study',
  system_impact_study: 'system impact study',
  facilities_study: 'facilities study',
  permits: 'permits',
  fees_paid: 'fee and deposit payments',
  milestones: 'milestone schedule',
};

const label = (item: string) => ITEM_LABELS[item] ?? item;

function line(item: string, required: boolean, readiness: ChecklistLine['readiness'], detail: string, refs: string[]): ChecklistLine {
  return { item, required, readiness, detail, refs: [...refs].sort() };
}

/** An item that is ready as soon as one document (or declared evidence ref) is there. */
export function presenceItem(item: string, refs: string[]): ItemResult {
  return refs.length > 0
    ? { line: line(item, true, 'ready', `${refs.length} document(s) supplied`, refs), issues: [] }
    : { line: line(item, true, 'missing', `no ${label(item)} supplied`, []), issues: [] };
}

/** Site control is valid through `expires_on`; expired the day after. */
export function siteControlItem(siteControl: SiteControl | undefined, asOf: string): ItemResult {
  if (siteControl === undefined) {
    return { line: line('site_control', true, 'missing', 'no site control given in project.site_control', []), issues: [] };
  }
  const refs = siteControl.ref === undefined ? [] : [siteControl.ref];
  if (siteControl.expires_on === undefined) {
    return { line: line('site_control', true, 'ready', `${siteControl.type}, no expiry`, refs), issues: [] };
  }
  const daysLeft = dayNumber(siteControl.expires_on, 'project.site_control.expires_on') - dayNumber(asOf, 'as_of');
  if (daysLeft < 0) {
    const detail = `${siteControl.type} expired on ${siteControl.expires_on}, ${-daysLeft} day(s) before ${asOf}`;
    return {
      line: line('site_control', true, 'expired', detail, refs),
      issues: [
        issue('site_control_expired', detail, `Renew or extend the site ${siteControl.type} (expired ${siteControl.expires_on}).`, {
          item: 'site_control',
          ...(siteControl.ref === undefined ? {} : { ref: siteControl.ref }),
        }),
      ],
    };
  }
  return { line: line('site_control', true, 'ready', `${siteControl.type} valid through ${siteControl.expires_on} (${daysLeft} day(s) left)`, refs), issues: [] };
}

/** Studies are not expected at the application stage, optional while studying, required for an agreement. */
export function studyItem(kind: StudyKind, docs: StudyDoc[], declaredRefs: string[], stage: Stage): ItemResult {
  const required = stage === 'agreement';
  const refs = [...docs.map((d) => d.ref), ...declaredRefs];
  if (refs.length === 0) {
    return stage === 'application'
      ? { line: line(kind, false, 'not_required', `not expected at the application stage`, []), issues: [] }
      : { line: line(kind, required, 'missing', `no ${label(kind)} supplied`, []), issues: [] };
  }
  const complete = docs.find((d) => d.status === 'complete');
  if (complete !== undefined || docs.length === 0) {
    const when = complete?.completed_on === undefined ? '' : ` on ${complete.completed_on}`;
    return { line: line(kind, required, 'ready', `complete${when}`, refs), issues: [] };
  }
  const statuses = [...new Set(docs.map((d) => d.status))].sort().join(', ');
  const first = docs[0]!;
  return {
    line: line(kind, required, 'pending', `study ${statuses}`, refs),
    issues: [issue('study_pending', `the ${label(kind)} is ${statuses}`, `Obtain the completed ${label(kind)}.`, { item: kind, ref: first.ref })],
  };
}

/** A permit is pending until issued (on or before as_of) and expired after its expiry date. */
export function permitsItem(docs: PermitDoc[], declaredRefs: string[], asOf: string): ItemResult {
  const refs = [...docs.map((d) => d.ref), ...declaredRefs];
  if (refs.length === 0) return { line: line('permits', false, 'missing', 'no permits supplied', []), issues: [] };
  const asOfDay = dayNumber(asOf, 'as_of');
  const issues: Issue[] = [];
  let expired = 0;
  let pending = 0;
  for (const [i, p] of docs.entries()) {
    const where = { item: 'permits', ref: p.ref };
    if (p.expires_on !== undefined && dayNumber(p.expires_on, `documents[${i}].expires_on`) < asOfDay) {
      expired++;
      issues.push(issue('permit_expired', `${p.permit_type} expired on ${p.expires_on}`, `Renew the ${p.permit_type}.`, where));
    } else if (p.issued_on === undefined || dayNumber(p.issued_on, `documents[${i}].issued_on`) > asOfDay) {
      pending++;
      issues.push(issue('permit_pending', `${p.permit_type} is not issued as of ${asOf}`, `Obtain the ${p.permit_type}.`, where));
    }
  }
  const readiness = expired > 0 ? 'expired' : pending > 0 ? 'pending' : 'ready';
  const detail = `${refs.length} permit(s): ${expired} expired, ${pending} pending`;
  return { line: line('permits', false, readiness, detail, refs), issues };
}
