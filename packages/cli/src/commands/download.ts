import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DocumentView } from '@docstore/contract';
import type { CommandContext } from '../context.ts';
import { CliError, EXIT } from '../errors.ts';
import { formatBytes } from '../output.ts';

/**
 * A file name for a document in a local folder: its name's last path segment, since a document name
 * may contain slashes (or be `..`) and must never write outside the folder.
 */
export function localFileName(document: Pick<DocumentView, 'id' | 'name'>): string {
  const name = basename(document.name.replaceAll('\\', '/'));
  return name === '' || name === '.' || name === '..' ? document.id : name;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** Where the bytes go: `-o` (inside it when it is a folder), else the document's name in the cwd. */
async function targetPath(ctx: CommandContext, document: DocumentView, output?: string): Promise<string> {
  if (output === undefined) return resolve(ctx.cwd, localFileName(document));
  const path = resolve(ctx.cwd, output);
  return (await isDirectory(path)) ? join(path, localFileName(document)) : path;
}

async function fetchObject(ctx: CommandContext, url: string, name: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: ctx.signal });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new CliError(EXIT.ERROR, `cannot reach storage at ${new URL(url).origin}: ${cause}`, {
      cause: error,
    });
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new CliError(EXIT.ERROR, `storage answered HTTP ${response.status} for ${name}`);
  }
  return response;
}

/**
 * Streams the body into `path`: without `force` the file is created exclusively (never overwriting
 * one that appeared meanwhile); with it the bytes go to a temporary file beside it that replaces the
 * old one only once complete. Checks size and SHA-256 against the document; a partial or corrupt file
 * is removed.
 */
async function save(response: Response, path: string, document: DocumentView, force: boolean): Promise<void> {
  const body = response.body;
  if (body === null) throw new CliError(EXIT.ERROR, `storage sent no body for ${document.name}`);
  const written = force ? join(dirname(path), `.${basename(path)}.${randomUUID().slice(0, 8)}.part`) : path;
  const hash = createHash('sha256');
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  let created = false;
  const file = createWriteStream(written, { flags: 'wx' }).once('open', () => {
    created = true;
  });
  try {
    await pipeline(Readable.fromWeb(body), check, file);
    const sha256 = hash.digest('hex');
    if (size !== document.size || (document.sha256 !== null && sha256 !== document.sha256)) {
      throw new CliError(
        EXIT.ERROR,
        `download of ${document.name} is corrupt: got ${size} bytes with sha256 ${sha256}, expected ${document.size} bytes with sha256 ${document.sha256}`,
      );
    }
    if (force) await rename(written, path);
  } catch (error) {
    if (created) await unlink(written).catch(() => {});
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') {
      throw new CliError(EXIT.INVALID, `conflict: ${path} already exists (use --force to overwrite)`);
    }
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && 'path' in error) {
      throw new CliError(EXIT.ERROR, `cannot write ${path}: ${error.code}`, { cause: error });
    }
    throw error;
  }
}

/**
 * `docstore download <id> [-o path] [--force]`: asks for a presigned URL and streams the bytes from
 * storage to the file, never holding them in memory.
 */
export async function download(
  ctx: CommandContext,
  options: { id: string; output?: string; force: boolean },
): Promise<void> {
  const document = await ctx.client.documents.get.query({ id: options.id }, { signal: ctx.signal });
  const path = await targetPath(ctx, document, options.output);
  if (!options.force && (await exists(path))) {
    throw new CliError(EXIT.INVALID, `conflict: ${path} already exists (use --force to overwrite)`);
  }
  const { url } = await ctx.client.documents.downloadUrl.mutate({ id: options.id }, { signal: ctx.signal });
  const response = await fetchObject(ctx, url, document.name);
  await save(response, path, document, options.force);
  if (ctx.out.jsonMode) return ctx.out.json({ path, document });
  ctx.out.line(`saved ${document.name} to ${path} (${formatBytes(document.size)})`);
}
