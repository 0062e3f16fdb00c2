import type { z } from 'zod';
import { DocstoreError } from './errors.ts';

/**
 * Metadata of a binary upload travels in one header as URI-encoded JSON, since the body is the file.
 */
export function encodeHeaderJson(value: unknown): string {
  return encodeURIComponent(JSON.stringify(value));
}

/** Parses such a header with its schema; anything wrong is INVALID_INPUT with zod's field errors. */
export function decodeHeaderJson<Schema extends z.ZodType>(
  headers: Headers,
  name: string,
  schema: Schema,
): z.output<Schema> {
  const header = headers.get(name);
  if (header === null) throw new DocstoreError('INVALID_INPUT', `missing ${name} header`);
  // Node reads header bytes as Latin-1: raw UTF-8 would come through as mojibake, not an error.
  if (!/^[\x20-\x7e]*$/.test(header))
    throw new DocstoreError('INVALID_INPUT', `${name} must be URI-encoded ASCII (encodeURIComponent)`);
  let raw: unknown;
  try {
    raw = JSON.parse(decodeURIComponent(header));
  } catch (cause) {
    throw new DocstoreError('INVALID_INPUT', `${name} is not URI-encoded JSON`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new DocstoreError('INVALID_INPUT', `invalid ${name} header`, { cause: parsed.error });
  return parsed.data;
}
