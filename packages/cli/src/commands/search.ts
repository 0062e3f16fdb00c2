import type { CommandContext } from '../context.ts';
import { formatTable } from '../output.ts';

/** `docstore search <query…> [--topic t] [--limit n]`: the best matches, with a snippet each. */
export async function search(
  ctx: CommandContext,
  options: { query: string; topic?: string; limit?: number },
): Promise<void> {
  const page = await ctx.client.documents.search.query(
    { query: options.query, topic: options.topic, limit: options.limit },
    { signal: ctx.signal },
  );
  if (ctx.out.jsonMode) return ctx.out.json(page);
  if (page.items.length === 0) return ctx.out.line('no matches');
  ctx.out.line(
    formatTable(
      ['ID', 'NAME', 'MATCH'],
      page.items.map((hit) => [hit.id, hit.name, (hit.snippet ?? '(name)').replace(/\s+/g, ' ')]),
    ),
  );
  if (page.nextCursor !== null) ctx.out.note('more matches: narrow the query or raise --limit');
}

/** `docstore suggestions <id> [--apply]`: the AI's topic suggestions; --apply takes every pending one. */
export async function suggestions(
  ctx: CommandContext,
  options: { id: string; apply: boolean },
): Promise<void> {
  const { client, signal, out } = ctx;
  const list = await client.documents.suggestions.query({ id: options.id }, { signal });
  if (options.apply) {
    const pending = list.filter((suggestion) => suggestion.state === 'pending').map((s) => s.id);
    const document = await client.documents.applySuggestions.mutate(
      { id: options.id, accept: pending },
      { signal },
    );
    if (out.jsonMode) return out.json(document);
    return out.line(
      `applied ${pending.length} suggestion(s); topics now: ${document.topics.join(', ') || '(none)'}`,
    );
  }
  if (out.jsonMode) return out.json(list);
  if (list.length === 0) return out.line('no suggestions');
  out.line(
    formatTable(
      ['TOPIC', 'CONFIDENCE', 'STATE'],
      list.map((s) => [s.isNew ? `${s.topic} (new)` : s.topic, s.confidence.toFixed(2), s.state]),
    ),
  );
}
