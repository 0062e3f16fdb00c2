import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import S3rver from 's3rver';
import { discardIfAborted, type ObjectStore, putObjectTarget } from './aborted-put.ts';
import { answerListMultipartUploads, listMultipartUploadsBucket } from './list-multipart-uploads.ts';

/** A running s3rver, reachable over plain HTTP on 127.0.0.1. */
export interface EmbeddedS3 {
  /** `http://127.0.0.1:PORT`, path-style buckets. */
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** Closes the listener and every open connection, so the port is free when this resolves. */
  stop(): Promise<void>;
  /** Stops, then listens again on the same port with the same data. */
  restart(): Promise<void>;
}

export interface EmbeddedS3Options {
  /** Where buckets and objects live; created when missing, kept across restarts. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default `S3RVER`, s3rver's own key. */
  accessKeyId?: string;
  /** Default `S3RVER`. s3rver checks only the access key of SigV4 requests, never the signature. */
  secretAccessKey?: string;
  /** Default true: no request log. */
  silent?: boolean;
  /**
   * Buckets created up front with a CORS rule that lets any origin PUT and GET with presigned URLs
   * (the web app uploads straight to storage); a dev and test server, so any origin.
   */
  corsBuckets?: string[];
}

/** s3rver's bucket CORS configuration, as S3 itself takes it. */
const CORS_CONFIGURATION = `<CORSConfiguration><CORSRule>
<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>
<AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>
<MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
}

/**
 * Starts s3rver on 127.0.0.1 behind a small front handler that answers ListMultipartUploads,
 * which s3rver lacks and the minio SDK needs for multipart puts. Request and response bodies
 * pass through as streams.
 */
export async function startEmbeddedS3(opts: EmbeddedS3Options): Promise<EmbeddedS3> {
  const dataDir = resolve(opts.dataDir);
  const accessKeyId = opts.accessKeyId ?? 'S3RVER';
  const secretAccessKey = opts.secretAccessKey ?? 'S3RVER';
  await mkdir(dataDir, { recursive: true });
  registerAccessKey(accessKeyId, secretAccessKey);

  const s3rver = new S3rver({
    directory: dataDir,
    silent: opts.silent ?? true,
    // Path-style only: a host name is never taken for a bucket (docker host names included).
    vhostBuckets: false,
    configureBuckets: (opts.corsBuckets ?? []).map((name) => ({ name, configs: [CORS_CONFIGURATION] })),
  });
  // run() would do this; we serve s3rver's callback ourselves (see below).
  await s3rver.configureBuckets();
  const s3rverHandler = s3rver.callback();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const bucket = listMultipartUploadsBucket(req);
    if (bucket === undefined) {
      const target = putObjectTarget(req);
      // `store` is s3rver's own (untyped) file store.
      if (target) discardIfAborted(req, (s3rver as unknown as { store: ObjectStore }).store, target);
      s3rverHandler(req, res);
      return;
    }
    answerListMultipartUploads(dataDir, bucket, req, res).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  };

  // We own the http.Server rather than calling s3rver.run(): s3rver's close handler closes its
  // logger, so after a restart it would print only winston's "no transports" warnings.
  let server: Server | undefined = await listen(handler, opts.port ?? 0);
  const port = portOf(server);

  const stop = async (): Promise<void> => {
    const closing = server;
    server = undefined;
    if (closing === undefined) return;
    await new Promise<void>((done, fail) => {
      closing.close((err) => (err ? fail(err) : done()));
      // close() alone waits for keep-alive and in-flight connections; a dev server drops them.
      closing.closeAllConnections();
    });
    // Let clients in this process (tests) drop their idle keep-alive sockets to us before they
    // send again, or the next request goes out on a dead socket ("socket hang up"). Their EOF is
    // read in the next poll phase and the socket's 'close' comes in that loop turn's close phase,
    // so two check phases (setImmediate) later it is gone.
    for (let turn = 0; turn < 2; turn++) await new Promise((done) => setImmediate(done));
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKeyId,
    secretAccessKey,
    stop,
    restart: async () => {
      await stop();
      server = await listen(handler, port);
    },
  };
}

/**
 * s3rver knows only the S3RVER key pair and offers no option for others; its account registry
 * is process-wide, so a key added here is accepted by every s3rver in this process.
 */
function registerAccessKey(accessKeyId: string, secretAccessKey: string): void {
  // The same module instance s3rver itself loaded: both resolve to one file in the CJS cache.
  const account = createRequire(import.meta.url)('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: S3rverAccount;
  };
  account.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port: number) {
  // Node's default 5-minute requestTimeout would cut off a large upload over a slow link.
  const server = createServer({ requestTimeout: 0 }, handler);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  return server;
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('embedded-s3: no TCP address');
  return address.port;
}
