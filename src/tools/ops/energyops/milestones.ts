/** Milestones against as_of: overdue from the day after the due date until completed. */
import { dayNumber } from './dates.js';
import { issue, type Issue } from './issue.js';
import type { ChecklistLine, Milestone, MilestoneLine } from './schemas.js';

export interface MilestoneReview {
  line: ChecklistLine;
  milestones: MilestoneLine[];
  overdue: string[];
  issues: Issue[];
}

function compareMilestones(a: MilestoneLine, b: MilestoneLine): number {
  if (a.due_on !== b.due_on) return a.due_on < b.due_on ? -1 : 1;
  return a.milestone_id < b.milestone_id ? -1 : a.milestone_id > b.milestone_id ? 1 : 0;
}

export function reviewMilestones(milestones: readonly Milestone[], asOf: string): MilestoneReview {
  const asOfDay = dayNumber(asOf, 'as_of');
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const lines: MilestoneLine[] = milestones.map((m, i) => {
    if (seen.has(m.milestone_id)) {
      issues.push(issue('duplicate_milestone_id', `milestone id ${m.milestone_id} appears more than once`, 'Give each milestone its own id.', { item: m.milestone_id }));
    }
    seen.add(m.milestone_id);
    const due = dayNumber(m.due_on, `milestones[${i}].due_on`);
    let completedOn: string | null = null;
    if (m.completed_on !== undefined) {
      if (dayNumber(m.completed_on, `milestones[${i}].completed_on`) > asOfDay) {
        // A completion dated after as_of has not happened yet as of as_of.
        issues.push(
          issue('milestone_completed_after_as_of', `completed_on ${m.completed_on} is after as_of ${asOf}`, `Correct the completion date of ${m.milestone_id}.`, {
            item: m.milestone_id,
          }),
        );
      } else {
        completedOn = m.completed_on;
      }
    }
    if (completedOn !== null) {
      const late = dayNumber(completedOn, `milestones[${i}].completed_on`) > due;
      return { milestone_id: m.milestone_id, name: m.name, due_on: m.due_on, completed_on: completedOn, status: late ? 'completed_late' : 'completed', days_overdue: 0 };
    }
    const daysOverdue = Math.max(0, asOfDay - due);
    return { milestone_id: m.milestone_id, name: m.name, due_on: m.due_on, completed_on: null, status: daysOverdue > 0 ? 'overdue' : 'open', days_overdue: daysOverdue };
  });
  lines.sort(compareMilestones);
  const overdueLines = lines.filter((l) => l.status === 'overdue');
  const refById = new Map(milestones.flatMap((m) => (m.ref === undefined ? [] : [[m.milestone_id, m.ref] as const])));
  for (const l of overdueLines) {
    const ref = refById.get(l.milestone_id);
    issues.push(
      issue(
        'milestone_overdue',
        `"${l.name}" was due ${l.due_on}, ${l.days_overdue} day(s) overdue as of ${asOf}`,
        `Complete milestone ${l.milestone_id} "${l.name}" (due ${l.due_on}) or obtain an extension.`,
        { item: l.milestone_id, ...(ref === undefined ? {} : { ref }) },
      ),
    );
  }
  const refs = milestones.flatMap((m) => (m.ref === undefined ? [] : [m.ref])).sort();
  let line: ChecklistLine;
  if (milestones.length === 0) line = { item: 'milestones', required: false, readiness: 'missing', detail: 'no milestone schedule supplied', refs };
  else if (overdueLines.length > 0) line = { item: 'milestones', required: false, readiness: 'overdue', detail: `${overdueLines.length} of ${lines.length} milestone(s) overdue`, refs };
  else line = { item: 'milestones', required: false, readiness: 'ready', detail: `${lines.length} milestone(s), none overdue`, refs };
  return { line, milestones: lines, overdue: overdueLines.map((l) => l.milestone_id), issues };
}
