import { createHash, randomBytes } from 'node:crypto';
import { type MetadataClient, uploadDocument } from '@docstore/contract';
import { between, pick } from './random.ts';

export type OperationKind = 'proxied upload' | 'direct upload' | 'download' | 'delete';

/** What clients were told, which the invariants hold the system to. */
export interface Ledger {
  /** Uploads acknowledged `ready` with the sha256 of the bytes sent, and not deleted since. */
  acknowledged: Map<string, { sha256: string; size: number; round: number }>;
  /** Deletes acknowledged to the client. */
  deleted: Set<string>;
  /** Deletes that failed: the document may or may not be gone, the client cannot know. */
  uncertain: Set<string>;
}

export interface RoundStats {
  ok: Record<OperationKind, number>;
  failed: Record<OperationKind, number>;
  /** Calls still unanswered at the harness's deadline. */
  hung: Array<{ kind: OperationKind; ms: number }>;
  /** Broken promises seen while the round ran (a wrong checksum, an acknowledged document not found). */
  violations: string[];
}

export function newLedger(): Ledger {
  return { acknowledged: new Map(), deleted: new Set(), uncertain: new Set() };
}

const KINDS: OperationKind[] = ['proxied upload', 'direct upload', 'download', 'delete'];
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

class Deadline extends Error {}

/**
 * Runs `work` with an abort signal that fires at the deadline. A call that has not settled by then
 * counts as hung (and is abandoned): the invariant is that every call answers within its bound.
 */
async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Deadline());
      controller.abort();
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function appCodeOf(error: unknown): string | undefined {
  return (error as { data?: { appCode?: string } }).data?.appCode;
}

/**
 * Concurrent clients, each with documents of its own (no two clients touch one document, so a
 * NOT_FOUND for an acknowledged document is a loss, not a race), until `until` resolves.
 */
export async function runWorkload(options: {
  client: MetadataClient;
  ledger: Ledger;
  round: number;
  workers: number;
  random: () => number;
  callDeadlineMs: number;
  until: Promise<void>;
}): Promise<RoundStats> {
  const { client, ledger, random } = options;
  const zero = () => Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<OperationKind, number>;
  const stats: RoundStats = { ok: zero(), failed: zero(), hung: [], violations: [] };
  let stopping = false;
  void options.until.then(() => {
    stopping = true;
  });

  const worker = async () => {
    const own: string[] = [];
    while (!stopping) {
      const kind: OperationKind =
        own.length === 0 ? pick(random, ['proxied upload', 'direct upload'] as const) : pick(random, KINDS);
      const started = Date.now();
      try {
        await withDeadline(options.callDeadlineMs, (signal) => operation(kind, own, signal));
        stats.ok[kind] += 1;
      } catch (error) {
        if (error instanceof Deadline) stats.hung.push({ kind, ms: Date.now() - started });
        stats.failed[kind] += 1;
        // A dependency is down: do not spin.
        await new Promise((done) => setTimeout(done, between(random, 50, 250)));
      }
    }
  };

  const acknowledge = (
    id: string,
    sent: string,
    size: number,
    got: { status: string; sha256: string | null },
  ) => {
    // `failed` is an honest answer: nothing was promised.
    if (got.status !== 'ready') return;
    // A direct upload's bytes never pass the service, which may leave its sha256 null; a value must match.
    if (got.sha256 !== null && got.sha256 !== sent)
      stats.violations.push(`upload ${id} acknowledged with sha256 ${got.sha256}, sent ${sent}`);
    ledger.acknowledged.set(id, { sha256: sent, size, round: options.round });
  };

  const operation = async (kind: OperationKind, own: string[], signal: AbortSignal) => {
    if (kind === 'proxied upload' || kind === 'direct upload') {
      const bytes = randomBytes(between(random, 1, 256) * 1024);
      const sent = sha256(bytes);
      if (kind === 'proxied upload') {
        const document = await uploadDocument(client, { name: 'proxied.bin' }, new Blob([bytes]), signal);
        acknowledge(document.id, sent, bytes.length, document);
        own.push(document.id);
        return;
      }
      const created = await client.documents.createUpload.mutate(
        { name: 'direct.bin', size: bytes.length },
        { signal },
      );
      const put = await fetch(created.uploadUrl, { method: 'PUT', body: bytes, signal });
      await put.body?.cancel();
      if (!put.ok) throw new Error(`PUT answered ${put.status}`);
      const document = await client.documents.completeUpload.mutate({ id: created.document.id }, { signal });
      acknowledge(document.id, sent, bytes.length, document);
      own.push(document.id);
      return;
    }
    const id = pick(random, own);
    const expected = ledger.acknowledged.get(id);
    if (kind === 'download') {
      try {
        const { url } = await client.documents.downloadUrl.mutate({ id }, { signal });
        const response = await fetch(url, { signal });
        if (!response.ok) throw new Error(`GET answered ${response.status}`);
        const got = sha256(new Uint8Array(await response.arrayBuffer()));
        if (expected && got !== expected.sha256 && !ledger.uncertain.has(id))
          stats.violations.push(`download of ${id} has sha256 ${got}, uploaded ${expected.sha256}`);
      } catch (error) {
        if (appCodeOf(error) === 'NOT_FOUND' && expected && !ledger.uncertain.has(id))
          stats.violations.push(`acknowledged upload ${id} answered NOT_FOUND`);
        throw error;
      }
      return;
    }
    own.splice(own.indexOf(id), 1);
    try {
      await client.documents.delete.mutate({ id }, { signal });
      ledger.acknowledged.delete(id);
      ledger.uncertain.delete(id);
      ledger.deleted.add(id);
    } catch (error) {
      if (appCodeOf(error) === 'NOT_FOUND' && expected && !ledger.uncertain.has(id))
        stats.violations.push(`acknowledged upload ${id} answered NOT_FOUND to its delete`);
      // The client cannot know whether it went: neither kept nor gone is promised.
      ledger.acknowledged.delete(id);
      ledger.uncertain.add(id);
      throw error;
    }
  };

  await Promise.all(Array.from({ length: options.workers }, worker));
  return stats;
}
