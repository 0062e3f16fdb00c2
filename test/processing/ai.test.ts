import { randomUUID } from 'node:crypto';
import { type MetadataClient, uploadDocument } from '@docstore/contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  completion,
  type Reply,
  startFakeOpenAi,
} from '../../services/metadata/src/processing/testing/fake-openai.ts';
import { metadataClient, queryDatabase } from '../support/metadata.ts';
import { processed } from '../support/processing.ts';

const KEY = `sk-test-${randomUUID()}`;
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A user of its own with topics and AI settings pointing at a local OpenAI-compatible server. */
async function userWithProvider(script: Reply[], applyMode: 'review' | 'auto') {
  const provider = await startFakeOpenAi(script);
  servers.push(provider);
  const client = await metadataClient({ userId: randomUUID() });
  for (const name of ['Taxes', 'Travel']) await client.topics.create.mutate({ name });
  await client.settings.update.mutate({
    aiProvider: 'openai-compatible',
    aiModel: 'test-model-2026',
    apiKey: KEY,
    aiBaseUrl: provider.baseUrl,
    aiApplyMode: applyMode,
  });
  return { client, provider };
}

/** Waits until the AI step left its `processed` event (the second one) or `timeoutMs` passed. */
async function aiDone(client: MetadataClient, id: string, timeoutMs = 30_000) {
  await processed(client, id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await queryDatabase<{ details: { topics: string[]; suggestedTopics: string[] } }>(
      `select details from status_events where document_id = $1 and status = 'processed' order by id`,
      [id],
    );
    if (events.length >= 2) return events.at(-1)?.details;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const text = (words: string) => new TextEncoder().encode(`${words} ${randomUUID()}`);

describe('AI topic suggestions through the real service', { timeout: 90_000 }, () => {
  it('review mode: suggests known topics, drops unknown ones, applies on request with exact counts; never asks twice', async () => {
    const answer = {
      topics: [
        { name: 'Taxes', confidence: 0.92 },
        { name: 'Astrology', confidence: 0.8 },
      ],
      newTopics: [],
    };
    const { client, provider } = await userWithProvider([completion(answer)], 'review');
    const bytes = text('Income tax return for 2025');
    const document = await uploadDocument(client, { name: 'return.txt', mimeType: 'text/plain' }, bytes);
    expect(await aiDone(client, document.id)).toEqual({ topics: [], suggestedTopics: ['Taxes'] });
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    const suggestions = await client.documents.suggestions.query({ id: document.id });
    expect(suggestions).toMatchObject([{ topic: 'Taxes', isNew: false, state: 'pending', confidence: 0.92 }]);
    expect((await client.documents.get.query({ id: document.id })).topics).toEqual([]);

    const applied = await client.documents.applySuggestions.mutate({
      id: document.id,
      accept: suggestions.map((s) => s.id),
    });
    expect(applied.topics).toEqual(['Taxes']);
    expect(await client.topics.counts.query()).toEqual({ Taxes: 1, Travel: 0 });
    expect((await client.documents.suggestions.query({ id: document.id }))[0]?.state).toBe('applied');

    // The same content again: answered from the cache, the provider is not asked a second time.
    const copy = await uploadDocument(client, { name: 'copy.txt', mimeType: 'text/plain' }, bytes);
    expect(await aiDone(client, copy.id)).toEqual({ topics: [], suggestedTopics: ['Taxes'] });
    expect(provider.requests).toHaveLength(1);

    const [row] = await queryDatabase<{ n: string }>(
      `select count(*) as n from status_events where error like $1 or details::text like $1`,
      [`%${KEY}%`],
    );
    expect(row?.n).toBe('0');
  });

  it('auto mode after a 429 with Retry-After: waits, then applies, counts exact', async () => {
    const answer = { topics: [{ name: 'Travel', confidence: 0.7 }], newTopics: [] };
    const { client, provider } = await userWithProvider(
      [
        { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } },
        completion(answer),
      ],
      'auto',
    );
    const document = await uploadDocument(
      client,
      { name: 'trip.txt', mimeType: 'text/plain' },
      text('Flight to Lisbon'),
    );
    expect(await aiDone(client, document.id)).toEqual({ topics: ['Travel'], suggestedTopics: [] });
    expect(provider.requests).toHaveLength(2);
    expect((await client.documents.get.query({ id: document.id })).topics).toEqual(['Travel']);
    expect(await client.topics.counts.query()).toEqual({ Taxes: 0, Travel: 1 });
  });

  it('an answer that stays invalid JSON is retried, then fails cleanly: the document stays processed', async () => {
    const { client, provider } = await userWithProvider(
      [completion('not json {'), completion('still not json'), completion('{"topics": 5}')],
      'auto',
    );
    const document = await uploadDocument(
      client,
      { name: 'odd.txt', mimeType: 'text/plain' },
      text('Some note'),
    );
    expect((await processed(client, document.id)).processing?.status).toBe('processed');
    const deadline = Date.now() + 20_000;
    while (provider.requests.length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(provider.requests).toHaveLength(3);
    expect(await aiDone(client, document.id, 2_000)).toBeUndefined();
    const after = await client.documents.get.query({ id: document.id });
    expect(after.processing?.status).toBe('processed');
    expect(after.topics).toEqual([]);
    expect(await client.documents.suggestions.query({ id: document.id })).toEqual([]);
    expect(provider.requests).toHaveLength(3);
  });
});
