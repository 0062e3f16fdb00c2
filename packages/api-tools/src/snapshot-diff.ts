import { isDeepStrictEqual } from 'node:util';
import { type Change, diffSchema } from './schema-diff.ts';
import type { ApiSnapshot, JsonSchema, ProcedureSnapshot } from './snapshot.ts';

export type { Change, Side } from './schema-diff.ts';

/**
 * No input parser: tRPC passes whatever comes, so the procedure takes anything. No output parser: the
 * procedure may answer anything. Both read as the empty schema.
 */
const ANYTHING: JsonSchema = {};

function diffProcedure(where: string, old: ProcedureSnapshot, next: ProcedureSnapshot): Change[] {
  const changes: Change[] = [];
  if (old.kind !== next.kind) {
    // The client's link and HTTP method depend on the kind: every old call fails.
    return [{ where, side: 'request', breaking: true, message: `kind ${old.kind} → ${next.kind}` }];
  }
  if (!old.auth && next.auth) {
    changes.push({ where, side: 'request', breaking: true, message: 'now requires credentials' });
  }
  if (old.auth && !next.auth) {
    changes.push({ where, side: 'request', breaking: false, message: 'no longer requires credentials' });
  }
  if (Boolean(old.binaryInput) !== Boolean(next.binaryInput)) {
    changes.push({
      where,
      side: 'request',
      breaking: true,
      message: next.binaryInput ? 'now takes a binary body' : 'no longer takes a binary body',
    });
  } else if (old.binaryInput && next.binaryInput) {
    if (old.binaryInput.header !== next.binaryInput.header) {
      changes.push({
        where,
        side: 'request',
        breaking: true,
        message: `metadata header ${old.binaryInput.header} → ${next.binaryInput.header}`,
      });
    }
    changes.push(
      ...diffSchema(old.binaryInput.schema, next.binaryInput.schema, `${where} header`, 'request'),
    );
  } else if (old.input === null && next.input !== null) {
    // Old clients send no input; an input schema (a zod object) rejects `undefined`.
    changes.push({ where, side: 'request', breaking: true, message: 'input added' });
  } else if (old.input !== null) {
    changes.push(...diffSchema(old.input, next.input ?? ANYTHING, `${where} input`, 'request'));
  }
  changes.push(...diffSchema(old.output ?? ANYTHING, next.output ?? ANYTHING, `${where} output`, 'response'));
  if (old.event || next.event) {
    const oldEvent = old.event?.schema ?? ANYTHING;
    const newEvent = next.event?.schema ?? ANYTHING;
    changes.push(...diffSchema(oldEvent, newEvent, `${where} event`, 'response'));
    if (old.event?.tracked && !next.event?.tracked) {
      changes.push({
        where,
        side: 'response',
        breaking: true,
        message: 'events no longer resumable (tracked)',
      });
    }
  }
  return changes;
}

function diffErrorCodes(old: ApiSnapshot['errorCodes'], next: ApiSnapshot['errorCodes']): Change[] {
  const changes: Change[] = [];
  for (const [code, entry] of Object.entries(old)) {
    const where = `errorCodes.${code}`;
    const counterpart = next[code];
    // Clients branch on `appCode`: a code that disappears or moves to another status breaks that branch.
    if (!counterpart)
      changes.push({ where, side: 'response', breaking: true, message: 'error code removed' });
    else if (!isDeepStrictEqual(entry, counterpart)) {
      changes.push({
        where,
        side: 'response',
        breaking: true,
        message: `${entry.trpcCode}/${entry.httpStatus} → ${counterpart.trpcCode}/${counterpart.httpStatus}`,
      });
    }
  }
  for (const code of Object.keys(next)) {
    // Unlike an output enum, error handling always has a default branch (network errors, INTERNAL),
    // so a new code reaches a path every client already has.
    if (!(code in old)) {
      changes.push({
        where: `errorCodes.${code}`,
        side: 'response',
        breaking: false,
        message: 'error code added',
      });
    }
  }
  return changes;
}

/** Every difference between two snapshots, each classified breaking or compatible for its side. */
export function diffSnapshots(old: ApiSnapshot, next: ApiSnapshot): Change[] {
  const changes = diffErrorCodes(old.errorCodes, next.errorCodes);
  for (const [routerName, router] of Object.entries(old.routers)) {
    const nextRouter = next.routers[routerName];
    for (const [path, procedure] of Object.entries(router.procedures)) {
      const where = `${routerName} ${path}`;
      const counterpart = nextRouter?.procedures[path];
      if (!counterpart)
        changes.push({ where, side: 'request', breaking: true, message: 'procedure removed' });
      else changes.push(...diffProcedure(where, procedure, counterpart));
    }
  }
  for (const [routerName, router] of Object.entries(next.routers)) {
    for (const path of Object.keys(router.procedures)) {
      if (!old.routers[routerName]?.procedures[path]) {
        changes.push({
          where: `${routerName} ${path}`,
          side: 'request',
          breaking: false,
          message: 'procedure added',
        });
      }
    }
  }
  return changes;
}
