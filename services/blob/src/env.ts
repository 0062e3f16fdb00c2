import { logEnvShape, metricsEnvShape, parseEnv, shutdownEnvShape } from '@docstore/server-kit';
import { z } from 'zod';

const GiB = 1024 ** 3;

const envSchema = z.object({
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }),
  /** Where clients reach S3 (presigned URLs are signed for it); defaults to S3_ENDPOINT. */
  S3_PUBLIC_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 of a-z, 0-9, dot, hyphen')
    .default('docstore'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Opening a connection to S3. */
  S3_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Silence allowed on an S3 connection (an answer, or the next chunk either way) before SERVICE_UNAVAILABLE. */
  S3_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  BLOB_HOST: z.string().min(1).default('127.0.0.1'),
  BLOB_PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  ...metricsEnvShape,
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * GiB),
  /** The credential the metadata service sends; every object call without it is UNAUTHORIZED. */
  BLOB_SERVICE_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  ...logEnvShape,
  ...shutdownEnvShape,
});

export type BlobConfig = z.output<typeof envSchema>;

export function loadBlobConfig(env: NodeJS.ProcessEnv): BlobConfig {
  return parseEnv(envSchema, env);
}
