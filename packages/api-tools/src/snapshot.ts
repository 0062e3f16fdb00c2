import {
  BLOB_ANNOTATIONS,
  blobRouter,
  CONTRACT_VERSION,
  ERROR_CODES,
  METADATA_ANNOTATIONS,
  metadataRouter,
  type RouterAnnotations,
} from '@docstore/contract';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError, octetInputParser } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { z } from 'zod';

/** A JSON Schema (draft 2020-12) as zod 4 writes it. */
export type JsonSchema = { [key: string]: unknown };

export type ProcedureKind = 'query' | 'mutation' | 'subscription';

export interface ProcedureSnapshot {
  kind: ProcedureKind;
  /** Whether the call needs the router's credentials. */
  auth: boolean;
  /** JSON input (`null`: the procedure takes none). Binary procedures have `binaryInput` instead. */
  input: JsonSchema | null;
  /** The body is the raw bytes (application/octet-stream); the metadata travels in `header`. */
  binaryInput?: { contentType: 'application/octet-stream'; header: string; schema: JsonSchema };
  /** `null` for subscriptions: their events are in `event`. */
  output: JsonSchema | null;
  event?: { tracked: boolean; schema: JsonSchema };
}

export interface RouterSnapshot {
  /** tRPC's HTTP and WebSocket endpoint on the service's port. */
  endpoint: '/trpc';
  auth: string;
  procedures: Record<string, ProcedureSnapshot>;
}

export interface ErrorCodeSnapshot {
  trpcCode: string;
  httpStatus: number;
  /** `error.code` in the JSON body (JSON-RPC 2.0 style). */
  jsonRpcCode: number;
}

export interface ApiSnapshot {
  contract: { name: '@docstore/contract'; version: string };
  /** `error.data.appCode` of every failure, with its tRPC code, HTTP status and JSON-RPC code. */
  errorCodes: Record<string, ErrorCodeSnapshot>;
  routers: Record<string, RouterSnapshot>;
}

/** The parts of a procedure's `_def` this reads (tRPC 11 internals, stable across 11.x). */
interface ProcedureDef {
  type: ProcedureKind;
  inputs: unknown[];
  output?: unknown;
}

interface AnyProcedure {
  _def: ProcedureDef;
}

export function toJsonSchema(schema: unknown, io: 'input' | 'output', where: string): JsonSchema {
  if (!(schema instanceof z.ZodType)) throw new Error(`${where}: not a zod schema, cannot describe it`);
  // Inputs as a client writes them (defaults make fields optional, transforms show their input side);
  // outputs as a client receives them. Refinements (custom checks) cannot be expressed and are dropped.
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

function describeProcedure(
  path: string,
  procedure: AnyProcedure,
  annotations: RouterAnnotations,
  where: string,
): ProcedureSnapshot {
  const def = procedure._def;
  if (def.inputs.length > 1) throw new Error(`${where}: chained .input() is not described yet`);
  const [input] = def.inputs;
  const snapshot: ProcedureSnapshot = {
    kind: def.type,
    auth: !annotations.publicProcedures.includes(path),
    input: null,
    output: def.output === undefined ? null : toJsonSchema(def.output, 'output', `${where} output`),
  };
  if (input === octetInputParser) {
    const binary = annotations.binaryInputs[path];
    if (!binary) throw new Error(`${where}: binary input without a header annotation (wire-annotations.ts)`);
    snapshot.binaryInput = {
      contentType: 'application/octet-stream',
      header: binary.header,
      schema: toJsonSchema(binary.schema, 'input', `${where} header`),
    };
  } else if (input !== undefined) {
    snapshot.input = toJsonSchema(input, 'input', `${where} input`);
  }
  if (def.type === 'subscription') {
    const events = annotations.subscriptions[path];
    if (!events) throw new Error(`${where}: subscription without an event annotation (wire-annotations.ts)`);
    snapshot.event = {
      tracked: events.tracked,
      schema: toJsonSchema(events.event, 'output', `${where} event`),
    };
  }
  return snapshot;
}

/** Every procedure of a router, by dotted path, sorted so the snapshot is byte-stable. */
export function describeRouter(
  name: string,
  router: { _def: { procedures: object } },
  annotations: RouterAnnotations,
): RouterSnapshot {
  const procedures = router._def.procedures as Record<string, AnyProcedure>;
  const paths = Object.keys(procedures).sort();
  for (const path of [...Object.keys(annotations.binaryInputs), ...Object.keys(annotations.subscriptions)]) {
    if (!paths.includes(path)) throw new Error(`${name}.${path}: annotated but not in the router`);
  }
  const described: Record<string, ProcedureSnapshot> = {};
  for (const path of paths) {
    const procedure = procedures[path];
    if (procedure) described[path] = describeProcedure(path, procedure, annotations, `${name}.${path}`);
  }
  return { endpoint: '/trpc', auth: annotations.auth, procedures: described };
}

export function describeErrorCodes(): Record<string, ErrorCodeSnapshot> {
  const table: Record<string, ErrorCodeSnapshot> = {};
  for (const [appCode, trpcCode] of Object.entries(ERROR_CODES)) {
    table[appCode] = {
      trpcCode,
      httpStatus: getHTTPStatusCodeFromError(new TRPCError({ code: trpcCode })),
      jsonRpcCode: TRPC_ERROR_CODES_BY_KEY[trpcCode],
    };
  }
  return table;
}

/** The contract as it is in the code now. */
export function createSnapshot(): ApiSnapshot {
  return {
    contract: { name: '@docstore/contract', version: CONTRACT_VERSION },
    errorCodes: describeErrorCodes(),
    routers: {
      metadata: describeRouter('metadata', metadataRouter, METADATA_ANNOTATIONS),
      blob: describeRouter('blob', blobRouter, BLOB_ANNOTATIONS),
    },
  };
}

/** The committed form: two-space JSON with a final newline (what biome's formatter keeps as is). */
export function serializeSnapshot(snapshot: ApiSnapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}
