import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOB_ANNOTATIONS, blobRouter, CONTRACT_VERSION, metadataRouter } from '@docstore/contract';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTRACT_PACKAGE_PATH, DOCS_PATH, REPO_ROOT, SNAPSHOT_PATH } from './paths.ts';
import { renderDocs } from './render-docs.ts';
import { createSnapshot, describeRouter, serializeSnapshot } from './snapshot.ts';

const committed = (path: string) => readFile(join(REPO_ROOT, path), 'utf8');

describe('the committed API snapshot', () => {
  // The same check as `pnpm api:snapshot --check`, so that `pnpm test` catches a stale snapshot too.
  it('matches the contract in the code, and docs/api.md matches the snapshot', async () => {
    const snapshot = createSnapshot();
    expect(await committed(SNAPSHOT_PATH), 'run `pnpm api:snapshot` and commit').toBe(
      serializeSnapshot(snapshot),
    );
    expect(await committed(DOCS_PATH), 'run `pnpm api:snapshot` and commit').toBe(renderDocs(snapshot));
  });

  it('is deterministic', () => {
    expect(serializeSnapshot(createSnapshot())).toBe(serializeSnapshot(createSnapshot()));
  });

  it('describes every procedure of both routers with its kind', () => {
    const snapshot = createSnapshot();
    for (const [name, router] of [
      ['metadata', metadataRouter],
      ['blob', blobRouter],
    ] as const) {
      const procedures = router._def.procedures as object as Record<string, { _def: { type: string } }>;
      const described = snapshot.routers[name]?.procedures ?? {};
      expect(Object.keys(described).sort()).toEqual(Object.keys(procedures).sort());
      for (const [path, procedure] of Object.entries(procedures))
        expect(described[path]?.kind).toBe(procedure._def.type);
    }
  });

  it('carries the binary upload header, the subscription events and the public procedures', () => {
    const metadata = createSnapshot().routers.metadata?.procedures ?? {};
    expect(metadata['documents.upload']?.binaryInput?.header).toBe('x-docstore-document');
    expect(metadata['documents.upload']?.binaryInput?.schema.required).toEqual(['name']);
    expect(metadata['documents.onStatus']?.event?.tracked).toBe(true);
    expect(metadata['documents.onStatus']?.event?.schema.required).toContain('status');
    expect(metadata.health?.auth).toBe(false);
    expect(metadata['documents.list']?.auth).toBe(true);
  });

  it('refuses a binary procedure or a subscription nobody annotated', () => {
    const unannotated = { ...BLOB_ANNOTATIONS, binaryInputs: {} };
    expect(() => describeRouter('blob', blobRouter, unannotated)).toThrow(
      /objects.put: binary input without/,
    );
    expect(() =>
      describeRouter('blob', blobRouter, {
        ...BLOB_ANNOTATIONS,
        subscriptions: { 'objects.gone': { event: z.object({}), tracked: false } },
      }),
    ).toThrow(/objects.gone: annotated but not in the router/);
  });

  it('records the version of packages/contract/package.json', async () => {
    const { version } = JSON.parse(await committed(CONTRACT_PACKAGE_PATH)) as { version: string };
    expect(version).toBe(CONTRACT_VERSION);
    expect(createSnapshot().contract.version).toBe(version);
  });
});
