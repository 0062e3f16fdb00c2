import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { type DocumentView, uploadDocument } from '@docstore/contract';
import type { CommandContext } from '../context.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { mimeTypeFor } from '../mime.ts';
import { formatDocuments } from '../output.ts';
import { createProgressReporter } from '../progress.ts';
import { openStatusFeed } from '../status-feed.ts';
import { StatusFollower } from '../status-follower.ts';

/** How long a failed direct upload waits for its `failed` event, which carries the reason. */
const REASON_WAIT_MS = 2_000;

/** How long the bar follows a document's processing (OCR of a long scan takes a while). */
const PROCESSING_WAIT_MS = 180_000;

/** Hex SHA-256 of a file, streamed. */
async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface LocalFile {
  path: string;
  name: string;
}

interface UploadJob {
  ctx: CommandContext;
  file: LocalFile;
  body: Blob;
  mimeType: string;
  topics: string[];
  follower: StatusFollower;
}

/** Every file must exist and be a regular file before anything is sent. */
async function checkFiles(cwd: string, paths: string[]): Promise<LocalFile[]> {
  return Promise.all(
    paths.map(async (path) => {
      const absolute = resolve(cwd, path);
      const info = await stat(absolute).catch(() => null);
      if (info === null) throw new UsageError(`upload: no such file: ${path}`);
      if (!info.isFile()) throw new UsageError(`upload: not a regular file: ${path}`);
      return { path: absolute, name: basename(absolute) };
    }),
  );
}

/** Through the service: it hashes, counts and streams the bytes on to storage. */
async function uploadProxied(job: UploadJob): Promise<DocumentView> {
  const { ctx, file, body } = job;
  job.follower.expect(body.size);
  return uploadDocument(
    ctx.client,
    { name: file.name, mimeType: job.mimeType, topics: job.topics, size: body.size },
    body,
    ctx.signal,
  );
}

/** PUTs the file to the presigned URL, straight to storage. */
async function putToStorage(job: UploadJob, uploadUrl: string): Promise<void> {
  const init: RequestInit & { duplex: 'half' } = {
    method: 'PUT',
    body: job.body,
    headers: { 'content-type': job.mimeType, 'content-length': String(job.body.size) },
    // See the contract's streamingFetch: without it undici keeps every chunk of the body.
    redirect: 'error',
    duplex: 'half',
    signal: job.ctx.signal,
  };
  let response: Response;
  try {
    response = await fetch(uploadUrl, init);
  } catch (error) {
    if (job.ctx.signal.aborted) throw error;
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new CliError(
      EXIT.ERROR,
      `cannot send ${job.file.name} to storage at ${new URL(uploadUrl).origin}: ${cause}`,
      {
        cause: error,
      },
    );
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const detail = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? response.statusText;
    throw new CliError(EXIT.ERROR, `storage refused ${job.file.name}: HTTP ${response.status} ${detail}`);
  }
}

/** Direct: a pending document and a presigned URL, the PUT, then the service checks what arrived. */
async function uploadDirect(job: UploadJob): Promise<DocumentView> {
  const { ctx, file, body, follower } = job;
  follower.stop();
  const created = await ctx.client.documents.createUpload.mutate(
    { name: file.name, mimeType: job.mimeType, size: body.size, topics: job.topics },
    { signal: ctx.signal },
  );
  const { id } = created.document;
  follower.follow(id);
  try {
    await putToStorage(job, created.uploadUrl);
  } catch (error) {
    // Tell the service now (it marks the document failed) rather than leave it pending for the sweeper.
    await ctx.client.documents.completeUpload.mutate({ id }).catch(() => {});
    throw error;
  }
  const document = await ctx.client.documents.completeUpload.mutate({ id }, { signal: ctx.signal });
  if (document.status === 'failed') {
    const failed = await follower.until((event) => event.status === 'failed', REASON_WAIT_MS);
    const reason = failed?.error ?? 'the service marked it failed';
    throw new CliError(EXIT.ERROR, `upload of ${file.name} failed: ${reason} (document ${id})`);
  }
  return document;
}

/**
 * `docstore upload <file…> [--topic t]… [--direct]`: one file after the other, each with a progress
 * bar on stderr driven by the service's live status events. Stops at the first failure, after
 * printing the documents uploaded so far.
 */
export async function upload(
  ctx: CommandContext,
  options: { files: string[]; topics: string[]; direct: boolean; skipDuplicates?: boolean; wait?: boolean },
): Promise<void> {
  const files = await checkFiles(ctx.cwd, options.files);
  const progress = createProgressReporter(ctx.progressStream);
  const follower = new StatusFollower((event) => progress.update(event));
  // Subscribed before the first upload starts, so that its first event cannot be missed.
  const feed = await openStatusFeed(ctx.url, ctx.token, (event) => follower.push(event));
  const uploaded: DocumentView[] = [];
  try {
    for (const file of files) {
      if (options.skipDuplicates) {
        const copies = await ctx.client.documents.findBySha256.query(
          { sha256: await sha256OfFile(file.path) },
          { signal: ctx.signal },
        );
        if (copies[0]) {
          ctx.out.note(`skipped ${file.name}: already stored as ${copies[0].name} (${copies[0].id})`);
          continue;
        }
      }
      const body = await openAsBlob(file.path);
      const job: UploadJob = {
        ctx,
        file,
        body,
        mimeType: mimeTypeFor(file.name),
        topics: options.topics,
        follower,
      };
      progress.start(file.name, body.size, options.direct);
      let document: DocumentView;
      try {
        document = options.direct ? await uploadDirect(job) : await uploadProxied(job);
        if (options.wait !== false && document.status === 'ready') {
          // The bar goes on through processing: processing → processed | processing_failed.
          follower.follow(document.id);
          const ended = await follower.until(
            (event) => event.status === 'processed' || event.status === 'processing_failed',
            PROCESSING_WAIT_MS,
          );
          if (ended)
            document = await ctx.client.documents.get.query({ id: document.id }, { signal: ctx.signal });
        }
      } catch (error) {
        progress.finish({ status: 'failed' });
        throw error;
      } finally {
        follower.stop();
      }
      progress.finish({
        status:
          document.processing?.status === 'processing_failed'
            ? 'processing_failed'
            : document.processing?.status === 'processed'
              ? 'processed'
              : document.status,
      });
      uploaded.push(document);
    }
  } finally {
    await feed.close();
    // After a failure too: the documents that did get in are worth knowing about.
    if (ctx.out.jsonMode) ctx.out.json(uploaded);
    else if (uploaded.length > 0) ctx.out.line(formatDocuments(uploaded));
  }
}
