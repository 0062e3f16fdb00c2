import type { TopicView } from '@docstore/contract';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { describeError } from './errors.ts';

export interface TopicsState {
  topics: TopicView[];
  error: string | null;
  refresh(): void;
}

/**
 * The caller's topics with their ready-document counts, fresh after every status change (another tab
 * or the CLI included); refreshes that coincide are folded into one call.
 */
export function useTopics(api: Api): TopicsState {
  const [topics, setTopics] = useState<TopicView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const load = useCallback(() => {
    api.client.topics.list
      .query()
      .then((list) => {
        setTopics(list);
        setError(null);
      })
      .catch((cause: unknown) => setError(describeError(cause)));
  }, [api]);
  const refresh = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(load, 150);
  }, [load]);
  useEffect(() => {
    load();
    const off = api.onStatus((event) => {
      if (event.status === 'ready' || event.status === 'deleted' || event.status === 'failed') refresh();
    });
    return () => {
      off();
      clearTimeout(timer.current);
    };
  }, [api, load, refresh]);
  return { topics, error, refresh };
}
