import { isDeepStrictEqual } from 'node:util';
import type { JsonSchema } from './snapshot.ts';

/**
 * Which way data flows through a schema. A REQUEST schema is what clients send: the server must still
 * accept everything old clients send, so widening is compatible and narrowing is breaking. A RESPONSE
 * schema (outputs, subscription events) is what clients receive: old clients must still understand
 * every value, so narrowing is compatible and widening (a new enum value, a new `null`) is breaking.
 */
export type Side = 'request' | 'response';

export interface Change {
  /** Where: `metadata documents.list input.limit`. */
  where: string;
  side: Side;
  breaking: boolean;
  message: string;
}

/** Keywords that only document: a change to them changes no accepted value. */
const DOCUMENTATION = new Set(['description', 'title', 'examples', '$comment', 'deprecated']);
/** Lower bounds: a higher value narrows. */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
/** Upper bounds: a lower value narrows. */
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
/** Keywords whose relation cannot be judged: adding narrows, removing widens, changing is both. */
const OPAQUE_CONSTRAINTS = ['pattern', 'format', 'multipleOf', 'propertyNames'];
const HANDLED = new Set([
  'type',
  'anyOf',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'default',
  ...LOWER_BOUNDS,
  ...UPPER_BOUNDS,
  ...OPAQUE_CONSTRAINTS,
]);

class Collector {
  readonly changes: Change[] = [];
  constructor(readonly side: Side) {}

  /** A change that narrows the set of accepted values: breaking for requests only. */
  narrowed(where: string, message: string): void {
    this.add(where, this.side === 'request', message);
  }

  /** A change that widens the set of accepted values: breaking for responses only. */
  widened(where: string, message: string): void {
    this.add(where, this.side === 'response', message);
  }

  add(where: string, breaking: boolean, message: string): void {
    this.changes.push({ where, side: this.side, breaking, message });
  }
}

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A schema as alternatives, one per JSON type: `anyOf` and `type: [a, b]` both become variants. */
function variantsOf(schema: JsonSchema): JsonSchema[] {
  if (Array.isArray(schema.anyOf)) {
    const { anyOf, ...shared } = schema;
    return (anyOf as unknown[]).filter(isObject).flatMap((part) => variantsOf({ ...shared, ...part }));
  }
  if (Array.isArray(schema.type)) {
    return (schema.type as string[]).map((type) => ({ ...schema, type }));
  }
  return [schema];
}

/** What a variant is, for pairing old and new alternatives. `integer` pairs with `number`. */
function typeKey(schema: JsonSchema): string {
  if (typeof schema.type === 'string') return schema.type === 'integer' ? 'number' : schema.type;
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : null;
  if (values && values.length > 0) {
    const type = typeof values[0];
    return values[0] === null ? 'null' : type === 'bigint' ? 'number' : type;
  }
  return 'any';
}

const describe = (schema: JsonSchema): string =>
  schema.type === undefined ? typeKey(schema) : String(schema.type);

function enumValues(schema: JsonSchema): unknown[] | null {
  if (Array.isArray(schema.enum)) return schema.enum;
  if ('const' in schema) return [schema.const];
  return null;
}

/** zod writes `.int()` as ±MAX_SAFE_INTEGER bounds: those say "integer", not a limit anyone chose. */
function implicitBound(value: unknown): unknown {
  return value === Number.MAX_SAFE_INTEGER || value === Number.MIN_SAFE_INTEGER ? undefined : value;
}

function diffBounds(old: JsonSchema, next: JsonSchema, where: string, out: Collector): void {
  for (const [keys, tighter] of [
    [LOWER_BOUNDS, (a: number, b: number) => b > a],
    [UPPER_BOUNDS, (a: number, b: number) => b < a],
  ] as const) {
    for (const key of keys) {
      const a = implicitBound(old[key]);
      const b = implicitBound(next[key]);
      if (a === b) continue;
      if (typeof a !== 'number') out.narrowed(where, `${key} ${b} added`);
      else if (typeof b !== 'number') out.widened(where, `${key} ${a} removed`);
      else if (tighter(a, b)) out.narrowed(where, `${key} ${a} → ${b} (tighter)`);
      else out.widened(where, `${key} ${a} → ${b} (looser)`);
    }
  }
}

function diffOpaque(old: JsonSchema, next: JsonSchema, where: string, out: Collector): void {
  for (const key of OPAQUE_CONSTRAINTS) {
    const a = old[key];
    const b = next[key];
    if (isDeepStrictEqual(a, b)) continue;
    if (a === undefined) out.narrowed(where, `${key} added`);
    else if (b === undefined) out.widened(where, `${key} removed`);
    else out.add(where, true, `${key} changed: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  }
}

function diffEnum(old: JsonSchema, next: JsonSchema, where: string, out: Collector): void {
  const a = enumValues(old);
  const b = enumValues(next);
  if (a === null && b === null) return;
  if (a === null || b === null) {
    if (a === null) out.narrowed(where, `now limited to ${JSON.stringify(b)}`);
    else out.widened(where, `no longer limited to ${JSON.stringify(a)}`);
    return;
  }
  const removed = a.filter((value) => !b.some((other) => isDeepStrictEqual(value, other)));
  const added = b.filter((value) => !a.some((other) => isDeepStrictEqual(value, other)));
  if (removed.length > 0)
    out.narrowed(where, `value ${removed.map((v) => JSON.stringify(v)).join(', ')} removed`);
  // For responses this is breaking on purpose: a client that switches exhaustively over the values
  // (TypeScript `never` checks, Go/Python match statements) meets a value it has no branch for.
  if (added.length > 0) out.widened(where, `value ${added.map((v) => JSON.stringify(v)).join(', ')} added`);
}

function diffObject(old: JsonSchema, next: JsonSchema, where: string, out: Collector): void {
  const oldProps = isObject(old.properties) ? old.properties : {};
  const newProps = isObject(next.properties) ? next.properties : {};
  const oldRequired = new Set(Array.isArray(old.required) ? (old.required as string[]) : []);
  const newRequired = new Set(Array.isArray(next.required) ? (next.required as string[]) : []);
  for (const [name, schema] of Object.entries(oldProps)) {
    const at = `${where}.${name}`;
    const counterpart = newProps[name];
    if (!isObject(counterpart)) {
      // Both sides: a response loses data clients read; a request field would be silently ignored
      // (a removed filter answers with other data), which a client cannot notice.
      out.add(at, true, 'field removed');
      continue;
    }
    if (oldRequired.has(name) && !newRequired.has(name)) out.widened(at, 'no longer required');
    if (!oldRequired.has(name) && newRequired.has(name)) out.narrowed(at, 'now required');
    if (isObject(schema)) diffSchemaInto(schema, counterpart, at, out);
  }
  for (const name of Object.keys(newProps)) {
    if (name in oldProps) continue;
    const at = `${where}.${name}`;
    // New fields in responses are compatible: zod (and any tolerant JSON reader) ignores unknown keys.
    if (out.side === 'response') out.add(at, false, 'field added');
    else if (newRequired.has(name)) out.add(at, true, 'required field added');
    else out.add(at, false, 'optional field added');
  }
  // `additionalProperties: false` is zod's output-mode artefact, not a promise: only schemas matter.
  const oldExtra = old.additionalProperties;
  const newExtra = next.additionalProperties;
  if (isObject(oldExtra) && isObject(newExtra)) diffSchemaInto(oldExtra, newExtra, `${where}[*]`, out);
  else if (isObject(oldExtra) !== isObject(newExtra)) {
    if (isObject(oldExtra)) out.narrowed(where, 'no longer a map of arbitrary keys');
    else out.widened(where, 'now a map of arbitrary keys');
  }
}

function diffVariant(old: JsonSchema, next: JsonSchema, where: string, out: Collector): void {
  if (old.type !== next.type) {
    if (old.type === 'integer' && next.type === 'number') out.widened(where, 'integer → number');
    else if (old.type === 'number' && next.type === 'integer') out.narrowed(where, 'number → integer');
    else if (old.type === undefined && typeKey(old) === 'any') out.narrowed(where, `any → ${describe(next)}`);
    else if (next.type === undefined && typeKey(next) === 'any') out.widened(where, `${describe(old)} → any`);
  }
  diffEnum(old, next, where, out);
  diffBounds(old, next, where, out);
  diffOpaque(old, next, where, out);
  if (typeKey(old) === 'object') diffObject(old, next, where, out);
  if (isObject(old.items) && isObject(next.items)) diffSchemaInto(old.items, next.items, `${where}[]`, out);
  if (!isDeepStrictEqual(old.default, next.default)) {
    out.add(
      where,
      false,
      `default ${JSON.stringify(old.default) ?? 'none'} → ${JSON.stringify(next.default) ?? 'none'}`,
    );
  }
  for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) {
    if (HANDLED.has(key) || DOCUMENTATION.has(key)) continue;
    // A keyword this checker does not know: say so, and err on the safe side.
    if (!isDeepStrictEqual(old[key], next[key]))
      out.add(where, true, `${key} changed (not classified: review)`);
  }
}

function diffSchemaInto(old: JsonSchema, next: JsonSchema, where: string, out: Collector): void {
  if (isDeepStrictEqual(old, next)) return;
  const oldVariants = variantsOf(old);
  const newVariants = variantsOf(next);
  const oldAny = oldVariants.some((v) => typeKey(v) === 'any' && Object.keys(v).length === 0);
  const newAny = newVariants.some((v) => typeKey(v) === 'any' && Object.keys(v).length === 0);
  if (oldAny || newAny) {
    if (oldAny && !newAny) out.narrowed(where, `any value → ${newVariants.map(describe).join(' | ')}`);
    if (newAny && !oldAny) out.widened(where, `${oldVariants.map(describe).join(' | ')} → any value`);
    return;
  }
  for (const variant of oldVariants) {
    const counterpart = newVariants.find((candidate) => typeKey(candidate) === typeKey(variant));
    if (counterpart) diffVariant(variant, counterpart, where, out);
    else if (newVariants.length === 1 && oldVariants.length === 1)
      out.add(where, true, `type ${describe(variant)} → ${describe(next)}`);
    else out.narrowed(where, `${describe(variant)} no longer accepted`);
  }
  for (const variant of newVariants) {
    if (oldVariants.length === 1 && newVariants.length === 1) continue;
    if (!oldVariants.some((candidate) => typeKey(candidate) === typeKey(variant))) {
      out.widened(where, `${describe(variant)} now possible`);
    }
  }
}

/** Every difference between two JSON Schemas, classified for the side the schema is on. */
export function diffSchema(old: JsonSchema, next: JsonSchema, where: string, side: Side): Change[] {
  const out = new Collector(side);
  diffSchemaInto(old, next, where, out);
  return out.changes;
}
