import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCS_PATH, REPO_ROOT, SNAPSHOT_PATH } from './paths.ts';
import { renderDocs } from './render-docs.ts';
import { createSnapshot, serializeSnapshot } from './snapshot.ts';

/**
 * `pnpm api:snapshot` writes the API snapshot and docs/api.md from the code;
 * `pnpm api:snapshot --check` writes nothing and fails when either committed file differs from the code.
 */
async function main(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const snapshot = createSnapshot();
  const outputs = [
    { path: SNAPSHOT_PATH, text: serializeSnapshot(snapshot) },
    { path: DOCS_PATH, text: renderDocs(snapshot) },
  ];
  let stale = 0;
  for (const { path, text } of outputs) {
    const file = join(REPO_ROOT, path);
    const committed = await readFile(file, 'utf8').catch(() => null);
    if (committed === text) continue;
    if (check) {
      stale += 1;
      console.error(`${path} is out of date with the contract: run \`pnpm api:snapshot\` and commit it`);
    } else {
      await writeFile(file, text);
      console.log(`wrote ${path}`);
    }
  }
  if (check && stale === 0) console.log(`${SNAPSHOT_PATH} and ${DOCS_PATH} match the contract`);
  return stale > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
