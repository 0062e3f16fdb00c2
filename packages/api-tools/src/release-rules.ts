import { majorOf } from '@docstore/contract';
import type { Change } from './snapshot-diff.ts';

export interface Verdict {
  ok: boolean;
  /** Why it fails, or what to do next; one line each. */
  reasons: string[];
}

/** The text under `## <version>` in a Keep-a-Changelog style file, up to the next `## `. */
export function changelogSection(changelog: string, version: string): string | null {
  const lines = changelog.split('\n');
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const heading = new RegExp(`^##\\s+\\[?${escaped}\\]?(\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return null;
  const end = lines.findIndex((line, index) => index > start && /^##\s/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The procedure path (`documents.list`) or error code (`errorCodes.CONFLICT`) a change is about. */
export function subjectOf(change: Change): string {
  const [first, second] = change.where.split(' ');
  return second ?? first ?? change.where;
}

/**
 * A breaking change ships only with a new major version whose changelog section names every broken
 * procedure (or error code): a release note a client author can act on, not a bare bump.
 */
export function judge(options: {
  changes: Change[];
  baseVersion: string;
  version: string;
  changelog: string;
}): Verdict {
  const breaking = options.changes.filter((change) => change.breaking);
  if (breaking.length === 0) {
    const reasons =
      options.changes.length > 0 && options.version === options.baseVersion
        ? [`compatible changes only: consider a minor version (now ${options.version})`]
        : [];
    return { ok: true, reasons };
  }
  const baseMajor = majorOf(options.baseVersion);
  const major = majorOf(options.version);
  if (major === null) return { ok: false, reasons: [`contract version ${options.version} is not semver`] };
  if (baseMajor !== null && major <= baseMajor) {
    return {
      ok: false,
      reasons: [
        `${breaking.length} breaking change(s) need a new major version: ${options.baseVersion} → ${baseMajor + 1}.0.0 ` +
          '(packages/contract/package.json and CONTRACT_VERSION) with a CHANGELOG.md section naming them',
      ],
    };
  }
  const section = changelogSection(options.changelog, options.version);
  if (section === null) {
    return { ok: false, reasons: [`CHANGELOG.md has no "## ${options.version}" section`] };
  }
  const unnamed = [...new Set(breaking.map(subjectOf))].filter((subject) => !section.includes(subject));
  if (unnamed.length > 0) {
    return {
      ok: false,
      reasons: [`CHANGELOG.md "## ${options.version}" does not name: ${unnamed.join(', ')}`],
    };
  }
  return { ok: true, reasons: [`breaking changes released as ${options.version}, named in CHANGELOG.md`] };
}
