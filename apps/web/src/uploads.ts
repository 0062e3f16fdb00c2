import { uploadDocument } from '@docstore/contract/client';
import type { DocumentView, StatusEvent } from '@docstore/contract/schemas';
import type { Api } from './api.ts';
import { describeError } from './errors.ts';

/** Files above this go straight to storage with a presigned PUT; smaller ones through the service. */
export const DIRECT_UPLOAD_THRESHOLD = 4 * 1024 * 1024;

export type UploadPhase = 'pending' | 'uploading' | 'processing' | 'ready' | 'failed';

export interface UploadRow {
  key: string;
  name: string;
  size: number;
  /** `server`: an upload the server reports as unfinished (found after a reload, or from elsewhere). */
  path: 'direct' | 'proxied' | 'server';
  documentId?: string;
  phase: UploadPhase;
  sentBytes: number;
  /** Bytes per second since the upload started; null before the first progress. */
  speed: number | null;
  error?: string;
}

/** What the contract accepts as a MIME type; anything else goes as application/octet-stream. */
const MIME_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+$/;

/**
 * The page's uploads, each a row with live progress. Direct uploads report the browser's own upload
 * progress; proxied ones the service's `receiving` events; both end on the document's status events.
 */
export class UploadQueue {
  rows: UploadRow[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly started = new Map<string, number>();
  private readonly claiming = new Set<string>();
  private nextKey = 0;

  constructor(private readonly api: Api) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(files: readonly File[], topics: string[]): void {
    for (const file of files) {
      const row: UploadRow = {
        key: `u${this.nextKey++}`,
        name: file.name,
        size: file.size,
        path: file.size > DIRECT_UPLOAD_THRESHOLD ? 'direct' : 'proxied',
        phase: 'pending',
        sentBytes: 0,
        speed: null,
      };
      this.rows = [row, ...this.rows];
      this.emit();
      const run =
        row.path === 'direct' ? this.direct(row.key, file, topics) : this.proxied(row.key, file, topics);
      run.catch((error: unknown) => this.patch(row.key, { phase: 'failed', error: describeError(error) }));
    }
  }

  /** Unfinished uploads the server knows of, shown after a reload with the truth it reports. */
  adopt(documents: readonly DocumentView[]): void {
    const known = new Set(this.rows.map((row) => row.documentId));
    const rows = documents
      .filter((doc) => doc.status === 'pending' && !known.has(doc.id))
      .map<UploadRow>((doc) => ({
        key: `s${doc.id}`,
        name: doc.name,
        size: doc.size,
        path: 'server',
        documentId: doc.id,
        phase: 'pending',
        sentBytes: 0,
        speed: null,
      }));
    if (rows.length === 0) return;
    this.rows = [...this.rows, ...rows];
    this.emit();
  }

  clearFinished(): void {
    this.rows = this.rows.filter((row) => row.phase !== 'ready' && row.phase !== 'failed');
    this.emit();
  }

  onStatus(event: StatusEvent): void {
    const row = this.rows.find((candidate) => candidate.documentId === event.documentId);
    if (!row) {
      if (event.status === 'pending' || event.status === 'receiving') void this.claim(event);
      return;
    }
    switch (event.status) {
      case 'receiving':
        if (row.path !== 'direct') this.progress(row.key, event.receivedBytes);
        break;
      case 'stored':
        this.patch(row.key, { phase: 'processing', sentBytes: row.size });
        break;
      case 'ready':
        this.patch(row.key, { phase: 'ready', sentBytes: row.size });
        break;
      case 'failed':
        this.patch(row.key, { phase: 'failed', error: event.error ?? 'the upload failed' });
        break;
      case 'deleted':
        this.rows = this.rows.filter((candidate) => candidate !== row);
        this.emit();
        break;
    }
  }

  private async direct(key: string, file: File, topics: string[]): Promise<void> {
    const mimeType = mimeTypeOf(file);
    const created = await this.api.client.documents.createUpload.mutate({
      name: file.name,
      mimeType,
      size: file.size,
      topics,
    });
    const id = created.document.id;
    this.patch(key, { documentId: id, phase: 'uploading' });
    this.started.set(key, performance.now());
    try {
      await putWithProgress(created.uploadUrl, file, mimeType, (sent) => this.progress(key, sent));
    } catch (error) {
      // Let the server record the failure too, so that every page shows the same truth.
      await this.api.client.documents.completeUpload.mutate({ id }).catch(() => undefined);
      throw error;
    }
    this.patch(key, { phase: 'processing', sentBytes: file.size });
    const document = await this.api.client.documents.completeUpload.mutate({ id });
    if (document.status === 'ready') this.patch(key, { phase: 'ready' });
    else if (document.status === 'failed') {
      const row = this.rows.find((candidate) => candidate.key === key);
      if (row?.phase !== 'failed')
        this.patch(key, { phase: 'failed', error: 'storage did not receive the whole file' });
    }
  }

  private async proxied(key: string, file: File, topics: string[]): Promise<void> {
    this.patch(key, { phase: 'uploading' });
    this.started.set(key, performance.now());
    const document = await uploadDocument(
      this.api.client,
      { name: file.name, mimeType: mimeTypeOf(file), topics },
      file,
    );
    this.patch(key, {
      documentId: document.id,
      phase: document.status === 'ready' ? 'ready' : 'processing',
      sentBytes: file.size,
    });
  }

  /**
   * A proxied upload learns its document id only when it ends; its first status event names the id
   * earlier. The document's name and size tell which of this page's rows it belongs to.
   */
  private async claim(event: StatusEvent): Promise<void> {
    const waiting = this.rows.some((row) => row.path === 'proxied' && row.documentId === undefined);
    if (!waiting || this.claiming.has(event.documentId)) return;
    this.claiming.add(event.documentId);
    try {
      const document = await this.api.client.documents.get.query({ id: event.documentId });
      const row = this.rows.find(
        (candidate) =>
          candidate.path === 'proxied' &&
          candidate.documentId === undefined &&
          candidate.name === document.name &&
          candidate.size === document.size,
      );
      if (!row) return;
      this.patch(row.key, { documentId: document.id });
      this.progress(row.key, event.receivedBytes);
    } catch {
      // Not ours to show (deleted meanwhile, or another tab's upload): nothing to do.
    } finally {
      this.claiming.delete(event.documentId);
    }
  }

  private progress(key: string, sentBytes: number): void {
    const started = this.started.get(key);
    const seconds = started === undefined ? 0 : (performance.now() - started) / 1000;
    const row = this.rows.find((candidate) => candidate.key === key);
    if (!row || row.phase === 'ready' || row.phase === 'failed') return;
    this.patch(key, { phase: 'uploading', sentBytes, speed: seconds > 0 ? sentBytes / seconds : null });
  }

  private patch(key: string, changes: Partial<UploadRow>): void {
    this.rows = this.rows.map((row) => (row.key === key ? { ...row, ...changes } : row));
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function mimeTypeOf(file: File): string {
  return MIME_TYPE.test(file.type) ? file.type : 'application/octet-stream';
}

/** A PUT to a presigned URL with the browser's upload progress (fetch has none). */
function putWithProgress(
  url: string,
  file: File,
  contentType: string,
  onProgress: (sentBytes: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', contentType);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new Error(`Storage refused the file (HTTP ${xhr.status}).`));
    xhr.onerror = () => reject(new Error('The upload to storage was interrupted.'));
    xhr.send(file);
  });
}
