import { execFile } from 'node:child_process';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@docstore/api-tools';
import { CONTRACT_VERSION } from '@docstore/contract';
import { scratchDir } from '@docstore/devstack';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { tokenFor } from '../support/metadata.ts';

// examples/node-client as its user would run it: outside the workspace, with the contract installed
// from the packed tarball (built JS + .d.ts, not the workspace's TypeScript source), type-checked with
// its own tsc, then run against the test stack. Its other dependencies come from the registry (or the
// local pnpm store, offline).

const run = promisify(execFile);
const STEP_TIMEOUT_MS = 60_000;
const pnpm = (args: string[], cwd: string) =>
  run('npx', ['-y', 'pnpm@12.4.2', ...args], {
    cwd,
    timeout: STEP_TIMEOUT_MS,
    env: { ...process.env, CI: '1' },
  });
const node = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  run(process.execPath, args, { cwd, timeout: STEP_TIMEOUT_MS, env: { ...process.env, ...env } });

const CONTRACT_DIR = join(REPO_ROOT, 'packages', 'contract');
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Compiles only if the contract's types reached the example: `any` would leave the directive unused. */
const TYPE_PROBE = `import { createMetadataClient } from '@docstore/contract';
const client = createMetadataClient({ url: 'http://127.0.0.1:1' });
// @ts-expect-error limit is a number
void client.documents.list.query({ limit: 'ten' });
`;

describe('examples/node-client, outside the workspace', async () => {
  const dir = await scratchDir('node-client');
  afterAll(() => dir.remove());

  it('installs the packed contract, type-checks, and uploads, lists, follows status and downloads', async () => {
    await node([TSC, '-b', 'tsconfig.build.json'], CONTRACT_DIR);
    await pnpm(['pack', '--pack-destination', dir.path], CONTRACT_DIR);
    const tarball = (await readdir(dir.path)).find((file) => file.endsWith('.tgz'));
    expect(tarball).toBe(`docstore-contract-${CONTRACT_VERSION}.tgz`);

    const project = join(dir.path, 'node-client');
    await cp(join(REPO_ROOT, 'examples', 'node-client'), project, {
      recursive: true,
      filter: (source) => !source.includes('node_modules'),
    });
    const manifestPath = join(project, 'package.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
      dependencies: Record<string, string>;
    };
    manifest.dependencies['@docstore/contract'] = `file:${join(dir.path, tarball ?? '')}`;
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    await pnpm(['install', '--prefer-offline', '--ignore-workspace'], project);

    const installed = JSON.parse(
      await readFile(join(project, 'node_modules', '@docstore', 'contract', 'package.json'), 'utf8'),
    ) as { exports: Record<string, unknown> };
    expect(installed.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });

    await writeFile(join(project, 'src', 'type-probe.ts'), TYPE_PROBE);
    await node([join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);

    const { stdout } = await node(['src/main.ts'], project, {
      DOCSTORE_URL: inject('metadataUrl'),
      DOCSTORE_TOKEN: await tokenFor(),
    });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
    expect(summary).toMatchObject({
      contract: CONTRACT_VERSION,
      mismatches: [],
      status: 'ready',
      listed: true,
      sameBytes: true,
    });
    expect(summary.statuses).toContain('ready');
  }, 90_000);
});
