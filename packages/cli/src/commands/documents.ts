import type { DocumentPage } from '@docstore/contract';
import type { CommandContext } from '../context.ts';
import { formatDocument, formatDocuments } from '../output.ts';

/** The largest page the service serves: `--all` walks the pages in as few calls as it can. */
const MAX_PAGE = 200;

/** `docstore list [--topic t] [--limit n] [--all]`: one page, or every page merged into one. */
export async function listDocuments(
  ctx: CommandContext,
  options: { topic?: string; limit?: number; all: boolean },
): Promise<void> {
  const { client, out, signal } = ctx;
  let page: DocumentPage;
  if (options.all) {
    const items: DocumentPage['items'] = [];
    let cursor: string | undefined;
    do {
      const next = await client.documents.list.query(
        { topic: options.topic, limit: options.limit ?? MAX_PAGE, cursor },
        { signal },
      );
      items.push(...next.items);
      cursor = next.nextCursor ?? undefined;
    } while (cursor !== undefined);
    page = { items, nextCursor: null };
  } else {
    page = await client.documents.list.query({ topic: options.topic, limit: options.limit }, { signal });
  }
  if (out.jsonMode) return out.json(page);
  if (page.items.length === 0) return out.line('no documents');
  out.line(formatDocuments(page.items));
  if (page.nextCursor !== null) out.note('more documents: see them all with --all');
}

/** `docstore get <id>`. */
export async function getDocument(ctx: CommandContext, id: string): Promise<void> {
  const document = await ctx.client.documents.get.query({ id }, { signal: ctx.signal });
  if (ctx.out.jsonMode) return ctx.out.json(document);
  ctx.out.line(formatDocument(document));
}

/** `docstore delete <id>`: the document and its bytes. */
export async function deleteDocument(ctx: CommandContext, id: string): Promise<void> {
  const deleted = await ctx.client.documents.delete.mutate({ id }, { signal: ctx.signal });
  if (ctx.out.jsonMode) return ctx.out.json(deleted);
  ctx.out.line(`deleted ${deleted.id}`);
}
