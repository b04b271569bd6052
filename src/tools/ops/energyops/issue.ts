/** A finding together with the step that resolves it, so next steps never drift from findings. */
import type { Finding } from '../../../contracts/common.js';

export interface Issue {
  finding: Finding;
  step: string;
}

export function issue(code: string, message: string, step: string, where: { item?: string; ref?: string } = {}): Issue {
  const finding: Finding = { code, message };
  if (where.item !== undefined) finding.item = where.item;
  if (where.ref !== undefined) finding.ref = where.ref;
  return { finding, step };
}
