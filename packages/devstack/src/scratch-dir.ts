import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder under the system's temp folder for a run's embedded servers. A PostgreSQL data
 * folder can go straight inside: `startEmbeddedPostgres` opens its parent to the postgres user.
 */
export async function scratchDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `docstore-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
