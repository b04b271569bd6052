/** The file manifest behind the settlement: names + SHA-256, bound into the receipt by one digest. */
import type { Finding } from '../../../contracts/common.js';
import { digestJson } from '../../../proof/canonical.js';
import type { ManifestFile } from './schemas.js';

export interface ManifestReview {
  files: ManifestFile[];
  digest: string | null;
  findings: Finding[];
}

/** Sorts by name, keeps one row per name, and digests the canonical JSON of the sorted list. */
export function reviewManifest(files: ManifestFile[] | undefined): ManifestReview {
  if (files === undefined) return { files: [], digest: null, findings: [] };
  const findings: Finding[] = [];
  const byName = new Map<string, ManifestFile>();
  for (const f of files) {
    const first = byName.get(f.name);
    if (!first) {
      byName.set(f.name, { name: f.name, sha256: f.sha256 });
      continue;
    }
    findings.push({
      code: 'duplicate_manifest_file',
      message:
        first.sha256 === f.sha256
          ? `File ${f.name} is listed more than once with the same SHA-256; it was kept once.`
          : `File ${f.name} is listed with two different SHA-256 values (${first.sha256.slice(0, 12)}…, ${f.sha256.slice(0, 12)}…); the first was kept.`,
      item: 'file_manifest',
      ref: f.name,
    });
  }
  const sorted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files: sorted, digest: digestJson(sorted), findings };
}
