import type { MatchFlags, TopicsCommand } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { formatCounts, formatTopics } from '../output.ts';

/** `docstore topics [create|rename|delete …]`. */
export async function topics(ctx: CommandContext, command: TopicsCommand): Promise<void> {
  const { client, out, signal } = ctx;
  switch (command.action) {
    case 'list': {
      const list = await client.topics.list.query(undefined, { signal });
      if (out.jsonMode) return out.json(list);
      return out.line(list.length === 0 ? 'no topics' : formatTopics(list));
    }
    case 'create': {
      const topic = await client.topics.create.mutate(
        {
          name: command.topic,
          description: command.description,
          color: command.color,
          match: ruleOf(command.match),
        },
        { signal },
      );
      if (out.jsonMode) return out.json(topic);
      return out.line(`created topic ${topic.name} (${topic.id})`);
    }
    case 'update': {
      const topic = await client.topics.update.mutate(
        {
          id: command.id,
          description: command.description,
          color: command.color,
          match: ruleOf(command.match),
        },
        { signal },
      );
      if (out.jsonMode) return out.json(topic);
      return out.line(`updated topic ${topic.name} (${topic.id})`);
    }
    case 'rename': {
      const topic = await client.topics.update.mutate({ id: command.id, name: command.topic }, { signal });
      if (out.jsonMode) return out.json(topic);
      return out.line(`renamed topic ${topic.id} to ${topic.name}`);
    }
    case 'delete': {
      const deleted = await client.topics.delete.mutate({ id: command.id }, { signal });
      if (out.jsonMode) return out.json(deleted);
      const documents = deleted.removedFrom === 1 ? 'document' : 'documents';
      return out.line(`deleted topic ${deleted.name} (removed from ${deleted.removedFrom} ${documents})`);
    }
  }
}

/** The flags as the contract's rule; the server checks the algorithm and the pattern. */
function ruleOf(match: MatchFlags | undefined) {
  if (match === undefined) return undefined;
  return {
    algorithm: match.algorithm as 'none' | 'any' | 'all' | 'literal' | 'regex' | 'fuzzy',
    pattern: match.pattern,
    caseSensitive: match.caseSensitive,
  };
}

/** `docstore counts`: ready documents per topic. */
export async function counts(ctx: CommandContext): Promise<void> {
  const result = await ctx.client.topics.counts.query(undefined, { signal: ctx.signal });
  if (ctx.out.jsonMode) return ctx.out.json(result);
  ctx.out.line(Object.keys(result).length === 0 ? 'no topics' : formatCounts(result));
}
