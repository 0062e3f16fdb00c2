import { logEnvShape, metricsEnvShape, parseEnv, shutdownEnvShape } from '@docstore/server-kit';
import { z } from 'zod';

/** 32 bytes, as 64 hex characters or base64. */
const encryptionKeySchema = z.string().transform((value, ctx) => {
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (bytes.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex characters or base64' });
    return z.NEVER;
  }
  return bytes;
});

const envSchema = z
  .object({
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
    /** The blob service's base URL; the metadata service is its only caller. */
    BLOB_URL: z.url({ protocol: /^https?$/ }),
    METADATA_HOST: z.string().min(1).default('127.0.0.1'),
    METADATA_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    ...metricsEnvShape,
    /** The credential this service presents to the blob service. */
    BLOB_SERVICE_TOKEN: z.string().min(16, 'must be at least 16 characters'),
    /** HS256 secret for access tokens; or verify against AUTH_JWKS_URL instead. */
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** During a JWT secret rotation: the retired secret, accepted for verification until tokens expire. */
    AUTH_JWT_SECRET_PREVIOUS: z.string().min(32, 'must be at least 32 characters').optional(),
    /** A JWKS endpoint (an identity provider's keys); requires AUTH_ISSUER and AUTH_AUDIENCE. */
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    AUTH_ISSUER: z.string().min(1).optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
    /** Behind a reverse proxy: take the client's address from X-Forwarded-For. */
    TRUST_PROXY: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((value) => value === 'true' || value === '1'),
    SETTINGS_ENCRYPTION_KEY: encryptionKeySchema,
    /**
     * Keys retired by a rotation, comma-separated (same encodings): they only open values sealed
     * before; the service seals those again with SETTINGS_ENCRYPTION_KEY at start.
     */
    SETTINGS_ENCRYPTION_KEYS_OLD: z
      .string()
      .transform((value) => value.split(',').map((item) => item.trim()))
      .pipe(z.array(encryptionKeySchema))
      .default([]),
    /** Largest upload accepted, proxied or direct. */
    MAX_UPLOAD_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(5 * 1024 ** 3),
    /** A pending upload not completed within this is removed (object and row) by the sweeper. */
    UPLOAD_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .default(3600),
    /**
     * Where a proxied upload of declared size streams: `s3`, straight into a PUT the blob service
     * signs for it (two hops; the metadata service must reach the blob service's S3_ENDPOINT), or
     * `blob`, through the blob service's `objects.put` (three hops). A body of unknown size always
     * goes through the blob service.
     */
    PROXIED_UPLOAD_ROUTE: z.enum(['s3', 'blob']).default('s3'),
    /** `failed` documents (row and any object) are removed this long after they failed. */
    FAILED_RETENTION_HOURS: z.coerce.number().positive().default(24),
    /** How long status events are kept for clients that reconnect. */
    STATUS_RETENTION_HOURS: z.coerce.number().positive().default(24),
    /** Most calls one batched request (HTTP or WebSocket message) may carry; more is BAD_REQUEST. */
    MAX_BATCH_SIZE: z.coerce.number().int().min(1).default(100),
    /** Largest WebSocket frame read from a client; calls are small JSON. */
    WS_MAX_PAYLOAD_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    /**
     * Bytes that may wait to be sent to one WebSocket after an event: more, and its client is not
     * reading; the connection is cut (a typed client reconnects and resumes from its last event).
     */
    WS_MAX_BUFFERED_BYTES: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .default(1024 * 1024),
    /** Subscriptions one WebSocket connection may hold at once; one more is BAD_REQUEST. */
    MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(100),
    /** Opening a connection to the blob service. */
    BLOB_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
    /** Silence allowed on a blob service call (waiting for its answer, or for it to read an upload). */
    BLOB_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
    /** Opening a PostgreSQL connection (or waiting for one from the pool). */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
    /** One SQL statement; the server cancels it after this (and the driver gives up 1 s later). */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    /** A transaction idle this long is ended by PostgreSQL, releasing its locks. */
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
    ...logEnvShape,
    ...shutdownEnvShape,
    /** How often each instance tries to reconcile the bucket with the table; 0 turns it off. */
    RECONCILE_INTERVAL_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(900),
    /** Document processing: wall-clock limit of one extraction (worker thread start included). */
    EXTRACTION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
    /** Documents larger than this are not extracted (processing fails with `too_large`). */
    EXTRACTION_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(100 * 1024 ** 2),
    /** Jobs (processing, removals) this instance runs at once; extraction takes about a core each. */
    JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /** How often each instance looks for jobs left locked by a killed instance, and unlocks them. */
    JOB_DEAD_WORKER_CHECK_SECONDS: z.coerce.number().positive().max(3600).default(15),
    /** A job locked more recently than this is never taken for a dead worker's (a starting worker). */
    JOB_DEAD_WORKER_GRACE_SECONDS: z.coerce
      .number()
      .positive()
      .max(4 * 3600)
      .default(30),
  })
  .superRefine((env, ctx) => {
    if ((env.AUTH_JWT_SECRET === undefined) === (env.AUTH_JWKS_URL === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWT_SECRET'],
        message: 'set exactly one of AUTH_JWT_SECRET and AUTH_JWKS_URL',
      });
    }
    if (env.AUTH_JWT_SECRET_PREVIOUS !== undefined && env.AUTH_JWT_SECRET === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWT_SECRET_PREVIOUS'],
        message: 'only with AUTH_JWT_SECRET (a JWKS endpoint rotates its keys itself)',
      });
    }
    if (env.AUTH_JWKS_URL !== undefined) {
      for (const name of ['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const) {
        if (env[name] === undefined)
          ctx.addIssue({ code: 'custom', path: [name], message: 'required with AUTH_JWKS_URL' });
      }
    }
  });

export type MetadataConfig = z.output<typeof envSchema>;

export function loadMetadataConfig(env: NodeJS.ProcessEnv): MetadataConfig {
  return parseEnv(envSchema, env);
}
