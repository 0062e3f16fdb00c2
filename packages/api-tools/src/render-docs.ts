import { CONTRACT_VERSION_HEADER } from '@docstore/contract';
import { exampleOf } from './example-value.ts';
import type { ApiSnapshot, JsonSchema, ProcedureSnapshot, RouterSnapshot } from './snapshot.ts';
import { curlOf, httpCall, webSocketCall } from './wire-format.ts';

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A schema's type in one short phrase: `string (uuid) | null`, `"a" | "b"`, `object[]`. */
function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.anyOf)) return schema.anyOf.filter(isObject).map(typeOf).join(' \\| ');
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' \\| ');
  if ('const' in schema) return JSON.stringify(schema.const);
  const types = Array.isArray(schema.type)
    ? schema.type
    : schema.type === undefined
      ? ['any']
      : [schema.type];
  return types
    .map((type) => {
      if (type === 'string' && typeof schema.format === 'string') return `string (${schema.format})`;
      if (type === 'array') return `${isObject(schema.items) ? typeOf(schema.items) : 'any'}[]`;
      if (type === 'object' && isObject(schema.additionalProperties)) {
        return `map of ${typeOf(schema.additionalProperties)}`;
      }
      return String(type);
    })
    .join(' \\| ');
}

function constraintsOf(schema: JsonSchema): string {
  const parts: string[] = [];
  const labels: Record<string, string> = {
    minimum: '≥',
    maximum: '≤',
    exclusiveMinimum: '>',
    exclusiveMaximum: '<',
    minLength: 'length ≥',
    maxLength: 'length ≤',
    minItems: 'items ≥',
    maxItems: 'items ≤',
  };
  for (const [key, label] of Object.entries(labels)) {
    const value = schema[key];
    // zod writes `.int()` as the safe-integer range: that says "integer", already in the type.
    if (typeof value === 'number' && Math.abs(value) !== Number.MAX_SAFE_INTEGER)
      parts.push(`${label} ${value}`);
  }
  // Formats (uuid, date-time) carry long generated patterns: the format name says it better.
  if (typeof schema.pattern === 'string' && schema.format === undefined) parts.push(`\`${schema.pattern}\``);
  if (isObject(schema.items)) {
    const inner = constraintsOf(schema.items);
    if (inner) parts.push(`each: ${inner}`);
  }
  return parts.join(', ').replaceAll('|', '\\|');
}

/** One row per field, nested ones as `items[].id`. */
function fieldRows(schema: JsonSchema, prefix: string, rows: string[]): void {
  const variants = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isObject) : [schema];
  for (const variant of variants) {
    const objectSchema = variant.type === 'array' && isObject(variant.items) ? variant.items : variant;
    const nestedPrefix = variant.type === 'array' ? `${prefix}[]` : prefix;
    if (!isObject(objectSchema.properties)) continue;
    const required = new Set(Array.isArray(objectSchema.required) ? objectSchema.required : []);
    for (const [name, property] of Object.entries(objectSchema.properties)) {
      if (!isObject(property)) continue;
      const field = nestedPrefix ? `${nestedPrefix}.${name}` : name;
      const defaultText = 'default' in property ? `\`${JSON.stringify(property.default)}\`` : '';
      rows.push(
        `| \`${field}\` | ${typeOf(property)} | ${required.has(name) ? 'yes' : 'no'} | ${constraintsOf(property)} | ${defaultText} |`,
      );
      fieldRows(property, field, rows);
    }
  }
}

function schemaBlock(title: string, schema: JsonSchema | null): string[] {
  if (schema === null) return [`**${title}:** none.`, ''];
  const rows: string[] = [];
  fieldRows(schema, '', rows);
  const lines = [`**${title}:** ${typeOf(schema)}`, ''];
  if (rows.length > 0) {
    lines.push('| field | type | required | constraints | default |', '|---|---|---|---|---|', ...rows, '');
  }
  lines.push(
    '<details><summary>JSON Schema</summary>',
    '',
    '```json',
    JSON.stringify(schema, null, 2),
    '```',
    '',
    '</details>',
    '',
  );
  return lines;
}

function errorsOf(procedure: ProcedureSnapshot): string {
  const codes: string[] = [];
  if (procedure.input || procedure.binaryInput) codes.push('`INVALID_INPUT` (the input fails its schema)');
  if (procedure.auth) codes.push('`UNAUTHORIZED` (no valid credentials)');
  if (procedure.binaryInput) codes.push('`PAYLOAD_TOO_LARGE`');
  codes.push(
    '`SERVICE_UNAVAILABLE` (a dependency is down)',
    'and any code of the error table the domain raises',
  );
  return `**Errors:** ${codes.join(', ')}.`;
}

function procedureSection(path: string, procedure: ProcedureSnapshot): string[] {
  const lines = [`### \`${path}\` (${procedure.kind})`, ''];
  lines.push(`Auth: ${procedure.auth ? 'required' : 'none'}.`, '');
  const token = procedure.auth ? { token: 'TOKEN' } : {};
  if (procedure.binaryInput) {
    const { header, schema } = procedure.binaryInput;
    lines.push(
      `**Body:** the raw bytes (\`${procedure.binaryInput.contentType}\`). ` +
        `**Header \`${header}\`:** the metadata as URI-encoded JSON ` +
        "(Python `urllib.parse.quote(json.dumps(meta), safe='')`, Go `url.PathEscape`).",
      '',
      ...schemaBlock(`${header}`, schema),
    );
  } else {
    lines.push(...schemaBlock('Input', procedure.input));
  }
  if (procedure.event) {
    lines.push(
      ...schemaBlock(
        `Event${procedure.event.tracked ? ' (tracked: resumable)' : ''}`,
        procedure.event.schema,
      ),
    );
  } else {
    lines.push(...schemaBlock('Output (`result.data`)', procedure.output));
  }
  lines.push(errorsOf(procedure), '');
  const example = procedure.binaryInput
    ? exampleOf(procedure.binaryInput.schema)
    : procedure.input
      ? exampleOf(procedure.input)
      : undefined;
  if (procedure.kind === 'subscription') {
    const ws = webSocketCall(path, example, token);
    lines.push(
      `WebSocket \`$DOCSTORE_WS_URL${ws.path}\` (ws:// or wss://), one JSON message per line:`,
      '',
      '```json',
      ...ws.messages.map((message) => JSON.stringify(message).replace('"TOKEN"', '"<token>"')),
      '```',
      '',
      'Answers: `{"id":1,"result":{"type":"started"}}`, then per event ' +
        (procedure.event?.tracked
          ? '`{"id":1,"result":{"type":"data","id":"<eventId>","data":{"id":"<eventId>","data":<event>}}}`. ' +
            'To resume after a reconnect send `"lastEventId":"<eventId>"` inside `params`.'
          : '`{"id":1,"result":{"type":"data","data":<event>}}`.') +
        ' Stop with `{"id":1,"method":"subscription.stop"}`; errors arrive as `{"id":1,"error":{…}}`.',
      '',
    );
  } else {
    const call = httpCall(path, procedure, example, token);
    lines.push('```sh', curlOf(call, procedure.binaryInput ? { binaryFile: 'report.pdf' } : {}), '```', '');
  }
  return lines;
}

function routerSection(title: string, router: RouterSnapshot, intro: string): string[] {
  const lines = [`## ${title}`, '', intro, '', `Auth: ${router.auth}.`, ''];
  for (const [path, procedure] of Object.entries(router.procedures))
    lines.push(...procedureSection(path, procedure));
  return lines;
}

/** docs/api.md, from the snapshot alone: what a reader sees is what `api:check` guards. */
export function renderDocs(snapshot: ApiSnapshot): string {
  const errorRows = Object.entries(snapshot.errorCodes).map(
    ([code, entry]) => `| \`${code}\` | ${entry.httpStatus} | \`${entry.trpcCode}\` | ${entry.jsonRpcCode} |`,
  );
  const lines = [
    '# docstore API reference',
    '',
    `<!-- Generated by \`pnpm api:snapshot\` from packages/contract/api-snapshot.json: do not edit by hand. -->`,
    '',
    `Contract version **${snapshot.contract.version}** (\`${snapshot.contract.name}\`). Every service names the ` +
      `contract version it serves in the \`${CONTRACT_VERSION_HEADER}\` response header and in \`GET /healthz\`. ` +
      'A new major version means a breaking change (see packages/contract/CHANGELOG.md).',
    '',
    '## Calling docstore over plain HTTP',
    '',
    'docstore speaks tRPC 11 without a data transformer, so any HTTP client works:',
    '',
    '- **query**: `GET /trpc/<procedure>?input=<URI-encoded JSON>` (leave `input` out when there is none);',
    '- **mutation**: `POST /trpc/<procedure>` with `content-type: application/json` and the input as body;',
    '- **binary upload**: `POST /trpc/<procedure>` with `content-type: application/octet-stream`, the raw bytes ' +
      'as body and the metadata as URI-encoded JSON in a header;',
    '- **subscription**: a WebSocket to `/trpc` on the same port (JSON-RPC-like messages, shown per procedure).',
    '',
    'A success answers `200` with `{"result":{"data":<output>}}`. A failure answers the HTTP status of the ' +
      'table below with `{"error":{"message":"…","code":<JSON-RPC code>,"data":{"code":"<tRPC code>",' +
      '"httpStatus":<status>,"path":"<procedure>","appCode":"<code>","zodError":<field errors or null>}}}`. ' +
      'Branch on `error.data.appCode`. `zodError` is `{"formErrors":[…],"fieldErrors":{"<field>":[…]}}` ' +
      'for `INVALID_INPUT`.',
    '',
    'In the examples `DOCSTORE_URL` is the service base URL (e.g. `http://127.0.0.1:4000`) and `TOKEN` an ' +
      'access token (`pnpm docstore token` mints one for development).',
    '',
    '| appCode | HTTP status | tRPC code | JSON-RPC code |',
    '|---|---|---|---|',
    ...errorRows,
    '',
  ];
  const metadata = snapshot.routers.metadata;
  const blob = snapshot.routers.blob;
  if (metadata) {
    lines.push(
      ...routerSection(
        'Metadata service (the public API)',
        metadata,
        'What clients call: documents, topics, settings, audit.',
      ),
    );
  }
  if (blob) {
    lines.push(
      ...routerSection(
        'Blob service (internal)',
        blob,
        'Called only by the metadata service. Objects stream out of `GET /objects/<key>` (plain HTTP, same credential).',
      ),
    );
  }
  for (const [name, router] of Object.entries(snapshot.routers)) {
    if (name !== 'metadata' && name !== 'blob') lines.push(...routerSection(name, router, ''));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
