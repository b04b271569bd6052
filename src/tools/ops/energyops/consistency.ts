/** Cross-document checks: capacity, territory, technology, queue ids and storage duration agree. */
import { issue, type Issue } from './issue.js';
import { Dec, sameQuantity } from './money.js';
import type { AssessReadinessInput, PacketDocument } from './schemas.js';

type ApplicationDoc = Extract<PacketDocument, { kind: 'interconnection_application' }>;

function applicationIssues(project: AssessReadinessInput['project'], app: ApplicationDoc): Issue[] {
  const found: Issue[] = [];
  const where = { item: 'interconnection_application', ref: app.ref };
  if (app.territory !== undefined && app.territory !== project.territory) {
    found.push(issue('territory_mismatch', `the application is filed in ${app.territory} but the project is in ${project.territory}`, 'Confirm which ISO/RTO queue the project is in and correct the project or the application.', where));
  }
  if (app.capacity_mw !== undefined && !sameQuantity(app.capacity_mw, project.capacity_mw)) {
    found.push(issue('application_capacity_mismatch', `the application requests ${app.capacity_mw} MW but the project is ${project.capacity_mw} MW`, 'Reconcile the project capacity with the application (a capacity change may need a material modification request).', where));
  }
  if (app.technology !== undefined && app.technology !== project.technology) {
    found.push(issue('technology_mismatch', `the application is for ${app.technology} but the project is ${project.technology}`, 'Correct the technology on the project or the application.', where));
  }
  if (app.queue_id !== undefined && project.queue_id !== undefined && app.queue_id !== project.queue_id) {
    found.push(issue('queue_id_mismatch', `the application carries queue id ${app.queue_id} but the project ${project.queue_id}`, 'Confirm the queue position.', where));
  }
  if (app.application_id !== undefined && project.application_id !== undefined && app.application_id !== project.application_id) {
    found.push(issue('application_id_mismatch', `the application is numbered ${app.application_id} but the project says ${project.application_id}`, 'Confirm the application number.', where));
  }
  return found;
}

function storageIssues(project: AssessReadinessInput['project']): Issue[] {
  const found: Issue[] = [];
  const storage = project.storage;
  const where = { item: 'project.storage' };
  const hasDuration = storage?.duration_hours !== undefined || storage?.energy_mwh !== undefined;
  if (project.technology === 'storage' || (project.technology === 'hybrid' && storage !== undefined)) {
    if (!hasDuration) {
      found.push(issue('storage_duration_missing', `a ${project.technology} project must state storage duration (duration_hours or energy_mwh)`, 'Add the storage duration or energy capacity (MWh).', where));
    }
  }
  if (storage?.power_mw !== undefined && storage.energy_mwh !== undefined && storage.duration_hours !== undefined) {
    const implied = new Dec(storage.power_mw).times(storage.duration_hours);
    if (!implied.eq(storage.energy_mwh)) {
      found.push(issue('storage_duration_inconsistent', `${storage.power_mw} MW × ${storage.duration_hours} h = ${implied.toFixed()} MWh, not ${storage.energy_mwh} MWh`, 'Correct the storage power, energy or duration.', where));
    }
  }
  if (storage?.power_mw !== undefined) {
    const power = new Dec(storage.power_mw);
    if (project.technology === 'storage' && !power.eq(project.capacity_mw)) {
      found.push(issue('storage_power_mismatch', `storage power ${storage.power_mw} MW differs from the project capacity ${project.capacity_mw} MW`, 'Reconcile the storage power with the project capacity.', where));
    } else if (power.gt(project.capacity_mw)) {
      found.push(issue('storage_power_exceeds_capacity', `storage power ${storage.power_mw} MW exceeds the project capacity ${project.capacity_mw} MW`, 'Reconcile the storage power with the interconnection capacity.', where));
    }
  }
  return found;
}

/** Every disagreement between the project context and the documents, in a stable order. */
export function consistencyIssues(input: AssessReadinessInput, documents: readonly PacketDocument[]): Issue[] {
  const { project } = input;
  const applications = documents.filter((d): d is ApplicationDoc => d.kind === 'interconnection_application');
  const found = applications.flatMap((a) => applicationIssues(project, a));
  // Studies are run at the capacity applied for; fall back to the project when the application gives none.
  const studiedCapacity = applications.find((a) => a.capacity_mw !== undefined)?.capacity_mw ?? project.capacity_mw;
  for (const d of documents) {
    if ((d.kind === 'feasibility_study' || d.kind === 'system_impact_study' || d.kind === 'facilities_study') && d.capacity_mw !== undefined && !sameQuantity(d.capacity_mw, studiedCapacity)) {
      found.push(issue('study_capacity_mismatch', `the ${d.kind.replace(/_/g, ' ')} studied ${d.capacity_mw} MW but ${studiedCapacity} MW was applied for`, `Reconcile the ${d.kind.replace(/_/g, ' ')} capacity with the application.`, { item: d.kind, ref: d.ref }));
    }
    if (d.kind === 'single_line_diagram' && d.capacity_mw !== undefined && !sameQuantity(d.capacity_mw, project.capacity_mw)) {
      found.push(issue('sld_capacity_mismatch', `the single-line diagram shows ${d.capacity_mw} MW but the project is ${project.capacity_mw} MW`, 'Issue a single-line diagram revision at the project capacity.', { item: 'single_line_diagram', ref: d.ref }));
    }
  }
  found.push(...storageIssues(project));
  const stage = input.stage ?? 'application';
  const hasQueueId = project.queue_id !== undefined || applications.some((a) => a.queue_id !== undefined);
  if (stage !== 'application' && !hasQueueId) {
    found.push(issue('queue_id_missing', `no queue id is recorded at the ${stage} stage`, 'Record the queue position the ISO assigned.', { item: 'interconnection_application' }));
  }
  return found;
}
