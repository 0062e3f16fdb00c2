/**
 * The embedded S3 server as a process of its own (benchmarks, and tests that kill it), configured
 * like a service: DOCSTORE_S3_DIR (required), DOCSTORE_S3_PORT (default 0), S3_ACCESS_KEY and
 * S3_SECRET_KEY (default S3RVER), DOCSTORE_S3_CORS_BUCKETS (comma-separated buckets that answer browsers'
 * CORS preflights, for presigned PUTs from the web app). Logs one JSON `listening` line with its port.
 */
import { startEmbeddedS3 } from './embedded-s3.ts';

const dataDir = process.env.DOCSTORE_S3_DIR;
if (!dataDir) {
  process.stderr.write('s3: set DOCSTORE_S3_DIR\n');
  process.exit(1);
}
const s3 = await startEmbeddedS3({
  dataDir,
  port: Number(process.env.DOCSTORE_S3_PORT ?? 0),
  accessKeyId: process.env.S3_ACCESS_KEY,
  secretAccessKey: process.env.S3_SECRET_KEY,
  corsBuckets: process.env.DOCSTORE_S3_CORS_BUCKETS?.split(',').filter(Boolean),
});
process.stdout.write(
  `${JSON.stringify({ service: 's3', message: 'listening', port: s3.port, url: s3.endpoint })}\n`,
);
const stop = () => void s3.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
