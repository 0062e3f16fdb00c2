import { join } from 'node:path';

/** The repository root, from this file's place in packages/api-tools/src. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** Where the committed artefacts live, relative to the root (also their paths inside git). */
export const SNAPSHOT_PATH = 'packages/contract/api-snapshot.json';
export const DOCS_PATH = 'docs/api.md';
export const CHANGELOG_PATH = 'packages/contract/CHANGELOG.md';
export const CONTRACT_PACKAGE_PATH = 'packages/contract/package.json';
