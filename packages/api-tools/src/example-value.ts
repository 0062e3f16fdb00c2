import type { JsonSchema } from './snapshot.ts';

const EXAMPLE_BY_FORMAT: Record<string, string> = {
  uuid: '7b0c5f8e-2d4a-4c1e-9f3b-5a6d7e8f9a0b',
  'date-time': '2026-01-31T12:00:00.000Z',
  uri: 'https://example.com/object',
  url: 'https://example.com/object',
  email: 'someone@example.com',
};

/** Plain strings read better as what the field holds. */
const EXAMPLE_BY_FIELD: Record<string, string> = {
  name: 'report.pdf',
  topic: 'invoices',
  cursor: '<nextCursor>',
};

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A small value a schema accepts, for the reference's examples: required fields only, the first
 * enum value, the lower bound of numbers. Patterns are not solved: such strings read `"string"`.
 */
export function exampleOf(schema: JsonSchema, options: { allFields?: boolean } = {}): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.anyOf)) {
    const variants = schema.anyOf.filter(isObject);
    const first = variants.find((variant) => variant.type !== 'null') ?? variants[0];
    return first ? exampleOf(first, options) : null;
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return typeof schema.format === 'string' ? (EXAMPLE_BY_FORMAT[schema.format] ?? 'string') : 'string';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' && schema.minimum > 0 ? schema.minimum : 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return isObject(schema.items) && (options.allFields || Number(schema.minItems ?? 0) > 0)
        ? [exampleOf(schema.items, options)]
        : [];
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = new Set(Array.isArray(schema.required) ? schema.required : []);
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        if ((options.allFields || required.has(name)) && isObject(property)) {
          const named = EXAMPLE_BY_FIELD[name];
          value[name] =
            named !== undefined && property.type === 'string' ? named : exampleOf(property, options);
        }
      }
      return value;
    }
    default:
      return null;
  }
}
