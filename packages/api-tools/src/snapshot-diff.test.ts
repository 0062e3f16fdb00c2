import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { judge } from './release-rules.ts';
import { type ApiSnapshot, type ProcedureSnapshot, toJsonSchema } from './snapshot.ts';
import { diffSnapshots } from './snapshot-diff.ts';

// Synthetic contracts: each case builds an old and a new snapshot from zod schemas, exactly as
// `pnpm api:snapshot` does, and checks how the difference is classified.

type Kind = ProcedureSnapshot['kind'];

function procedure(kind: Kind, input?: z.ZodType, output?: z.ZodType): ProcedureSnapshot {
  return {
    kind,
    auth: true,
    input: input ? toJsonSchema(input, 'input', 'test') : null,
    output: output ? toJsonSchema(output, 'output', 'test') : null,
  };
}

function snapshot(procedures: Record<string, ProcedureSnapshot>, errorCodes = ['NOT_FOUND']): ApiSnapshot {
  return {
    contract: { name: '@docstore/contract', version: '1.0.0' },
    errorCodes: Object.fromEntries(
      errorCodes.map((code) => [code, { trpcCode: code, httpStatus: 404, jsonRpcCode: -32004 }]),
    ),
    routers: { metadata: { endpoint: '/trpc', auth: 'token', procedures } },
  };
}

/** The changes between two versions of one procedure, as `side breaking|compatible: message` lines. */
function classify(old: ProcedureSnapshot, next: ProcedureSnapshot): string[] {
  return diffSnapshots(snapshot({ p: old }), snapshot({ p: next })).map((change) =>
    `${change.where.replace('metadata p', '').trim()} ${change.side} ${change.breaking ? 'breaking' : 'compatible'}: ${change.message}`.trim(),
  );
}

const page = z.object({ id: z.uuid(), status: z.enum(['pending', 'ready']) });

describe('procedures', () => {
  it('an identical contract has no changes', () => {
    const p = procedure('query', z.object({ id: z.uuid() }), page);
    expect(classify(p, procedure('query', z.object({ id: z.uuid() }), page))).toEqual([]);
  });

  it('a removed procedure is breaking, an added one compatible', () => {
    const changes = diffSnapshots(
      snapshot({ 'documents.get': procedure('query') }),
      snapshot({ 'documents.fetch': procedure('query') }),
    );
    expect(changes).toEqual([
      { where: 'metadata documents.get', side: 'request', breaking: true, message: 'procedure removed' },
      { where: 'metadata documents.fetch', side: 'request', breaking: false, message: 'procedure added' },
    ]);
  });

  it('a changed kind is breaking', () => {
    expect(classify(procedure('query'), procedure('mutation'))).toEqual([
      'request breaking: kind query → mutation',
    ]);
  });

  it('an input on a procedure that had none is breaking; dropping the input is compatible', () => {
    expect(classify(procedure('query'), procedure('query', z.object({ id: z.uuid() })))).toEqual([
      'request breaking: input added',
    ]);
    const dropped = classify(
      procedure('query', z.object({ limit: z.number().optional() })),
      procedure('query'),
    );
    expect(dropped.every((line) => line.includes('compatible'))).toBe(true);
  });
});

describe('requests (inputs): the server must accept what old clients send', () => {
  const base = z.object({ id: z.uuid(), limit: z.number().int().min(1).max(200).optional() });
  const input = (schema: z.ZodType) => procedure('query', schema, page);

  it('a new required field is breaking, a new optional (or defaulted) one compatible', () => {
    expect(classify(input(base), input(base.extend({ topic: z.string() })))).toEqual([
      'input.topic request breaking: required field added',
    ]);
    expect(classify(input(base), input(base.extend({ topic: z.string().optional() })))).toEqual([
      'input.topic request compatible: optional field added',
    ]);
    expect(
      classify(input(base), input(base.extend({ sort: z.enum(['asc', 'desc']).default('asc') }))),
    ).toEqual(['input.sort request compatible: optional field added']);
  });

  it('an optional field made required is breaking; the reverse compatible', () => {
    const required = base.extend({ limit: z.number().int().min(1).max(200) });
    expect(classify(input(base), input(required))).toEqual(['input.limit request breaking: now required']);
    expect(classify(input(required), input(base))).toEqual([
      'input.limit request compatible: no longer required',
    ]);
  });

  it('a narrowed type is breaking, a widened one compatible', () => {
    const nullable = z.object({ color: z.string().nullable() });
    const plain = z.object({ color: z.string() });
    expect(classify(input(nullable), input(plain))).toEqual([
      'input.color request breaking: null no longer accepted',
    ]);
    expect(classify(input(plain), input(nullable))).toEqual([
      'input.color request compatible: null now possible',
    ]);
    expect(classify(input(z.object({ n: z.number() })), input(z.object({ n: z.number().int() })))).toEqual([
      'input.n request breaking: number → integer',
    ]);
    expect(classify(input(z.object({ n: z.number() })), input(z.object({ n: z.string() })))).toEqual([
      'input.n request breaking: type number → string',
    ]);
  });

  it('a removed enum value is breaking, an added one compatible', () => {
    const two = z.object({ sort: z.enum(['asc', 'desc']) });
    const three = z.object({ sort: z.enum(['asc', 'desc', 'random']) });
    expect(classify(input(three), input(two))).toEqual([
      'input.sort request breaking: value "random" removed',
    ]);
    expect(classify(input(two), input(three))).toEqual([
      'input.sort request compatible: value "random" added',
    ]);
  });

  it('a tighter min/max is breaking, a looser one compatible', () => {
    const tighter = base.extend({ limit: z.number().int().min(1).max(100).optional() });
    expect(classify(input(base), input(tighter))).toEqual([
      'input.limit request breaking: maximum 200 → 100 (tighter)',
    ]);
    expect(classify(input(tighter), input(base))).toEqual([
      'input.limit request compatible: maximum 100 → 200 (looser)',
    ]);
    const longer = z.object({ name: z.string().min(3) });
    expect(classify(input(z.object({ name: z.string() })), input(longer))).toEqual([
      'input.name request breaking: minLength 3 added',
    ]);
  });

  it('a new pattern is breaking, a dropped one compatible', () => {
    const free = z.object({ color: z.string() });
    const hex = z.object({ color: z.string().regex(/^#[0-9a-f]{6}$/) });
    expect(classify(input(free), input(hex))).toEqual(['input.color request breaking: pattern added']);
    expect(classify(input(hex), input(free))).toEqual(['input.color request compatible: pattern removed']);
  });

  it('a removed input field is breaking: the server would silently ignore it', () => {
    expect(classify(input(base), input(base.omit({ limit: true })))).toEqual([
      'input.limit request breaking: field removed',
    ]);
  });

  it('a binary upload header schema is a request schema', () => {
    const upload = (schema: z.ZodType): ProcedureSnapshot => ({
      ...procedure('mutation', undefined, page),
      binaryInput: {
        contentType: 'application/octet-stream',
        header: 'x-docstore-document',
        schema: toJsonSchema(schema, 'input', 'test'),
      },
    });
    const meta = z.object({ name: z.string() });
    expect(classify(upload(meta), upload(meta.extend({ size: z.number() })))).toEqual([
      'header.size request breaking: required field added',
    ]);
    expect(classify(upload(meta), procedure('mutation', meta, page))).toEqual([
      'request breaking: no longer takes a binary body',
    ]);
  });
});

describe('responses (outputs, events): old clients must understand what the server sends', () => {
  const output = (schema: z.ZodType) => procedure('query', undefined, schema);

  it('an added field is compatible, a removed one breaking', () => {
    expect(classify(output(page), output(page.extend({ size: z.number() })))).toEqual([
      'output.size response compatible: field added',
    ]);
    expect(classify(output(page), output(page.omit({ status: true })))).toEqual([
      'output.status response breaking: field removed',
    ]);
  });

  it('a field that may now be missing or null is breaking; a narrowed one compatible', () => {
    expect(classify(output(page), output(page.partial({ status: true })))).toEqual([
      'output.status response breaking: no longer required',
    ]);
    expect(classify(output(page), output(page.extend({ id: z.uuid().nullable() })))).toEqual([
      'output.id response breaking: null now possible',
    ]);
    expect(classify(output(page.extend({ id: z.uuid().nullable() })), output(page))).toEqual([
      'output.id response compatible: null no longer accepted',
    ]);
  });

  it('an enum value added to an output is breaking (exhaustive clients); a removed one compatible', () => {
    const three = page.extend({ status: z.enum(['pending', 'ready', 'failed']) });
    expect(classify(output(page), output(three))).toEqual([
      'output.status response breaking: value "failed" added',
    ]);
    expect(classify(output(three), output(page))).toEqual([
      'output.status response compatible: value "failed" removed',
    ]);
  });

  it('a subscription event schema is a response schema', () => {
    const sub = (event: z.ZodType): ProcedureSnapshot => ({
      ...procedure('subscription', z.object({})),
      event: { tracked: true, schema: toJsonSchema(event, 'output', 'test') },
    });
    expect(classify(sub(page), sub(page.extend({ status: z.enum(['pending', 'ready', 'gone']) })))).toEqual([
      'event.status response breaking: value "gone" added',
    ]);
    expect(classify(sub(page), sub(page.extend({ at: z.string() })))).toEqual([
      'event.at response compatible: field added',
    ]);
  });

  it('changes inside arrays and nested objects are found', () => {
    const list = z.object({ items: z.array(page) });
    const changed = z.object({ items: z.array(page.omit({ id: true })) });
    expect(classify(output(list), output(changed))).toEqual([
      'output.items[].id response breaking: field removed',
    ]);
  });
});

describe('error codes', () => {
  it('a removed code is breaking, an added code compatible', () => {
    const changes = diffSnapshots(
      snapshot({}, ['NOT_FOUND', 'CONFLICT']),
      snapshot({}, ['NOT_FOUND', 'GONE']),
    );
    expect(changes.map((c) => `${c.where} ${c.breaking}`)).toEqual([
      'errorCodes.CONFLICT true',
      'errorCodes.GONE false',
    ]);
  });
});

describe('release rules', () => {
  const breaking = diffSnapshots(
    snapshot({ 'documents.get': procedure('query') }),
    snapshot({ 'documents.get': procedure('mutation') }),
  );
  const changelog =
    '# Changelog\n\n## 2.0.0\n\n- BREAKING: `documents.get` is a mutation.\n\n## 1.0.0\n\n- First.\n';

  it('passes compatible changes at any version', () => {
    const added = diffSnapshots(snapshot({}), snapshot({ x: procedure('query') }));
    expect(judge({ changes: added, baseVersion: '1.0.0', version: '1.0.0', changelog: '' }).ok).toBe(true);
  });

  it('fails a breaking change without a new major', () => {
    const verdict = judge({ changes: breaking, baseVersion: '1.0.0', version: '1.1.0', changelog });
    expect(verdict.ok).toBe(false);
    expect(verdict.reasons[0]).toContain('new major version');
  });

  it('fails a new major whose changelog section is missing or does not name the break', () => {
    expect(
      judge({ changes: breaking, baseVersion: '1.0.0', version: '2.0.0', changelog: '## 1.0.0\n' }),
    ).toEqual({
      ok: false,
      reasons: ['CHANGELOG.md has no "## 2.0.0" section'],
    });
    const vague =
      '## 2.0.0\n\n- Some cleanup.\n\n## 1.0.0\n- mentions documents.get, but in the old section\n';
    expect(judge({ changes: breaking, baseVersion: '1.0.0', version: '2.0.0', changelog: vague })).toEqual({
      ok: false,
      reasons: ['CHANGELOG.md "## 2.0.0" does not name: documents.get'],
    });
  });

  it('passes a new major whose changelog names every break', () => {
    expect(judge({ changes: breaking, baseVersion: '1.0.0', version: '2.0.0', changelog }).ok).toBe(true);
  });
});
