import type { SearchHit } from '@docstore/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { describeError } from './errors.ts';
import { formatDate } from './format.ts';
import { Snippet } from './snippet.tsx';

const PAGE_SIZE = 20;

/**
 * Full-text search over the caller's processed documents, within the library's topic filter;
 * "More results" follows the server's keyset cursor.
 */
export function SearchBox(props: { api: Api; topic: string | undefined; onOpen(id: string): void }) {
  const { api } = props;
  const [query, setQuery] = useState('');
  // The query and topic the shown results belong to: "More results" continues those, not the box.
  const [asked, setAsked] = useState<{ query: string; topic: string | undefined } | null>(null);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);

  const load = (question: { query: string; topic: string | undefined }, after: string | undefined) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    api.client.documents.search
      .query({ query: question.query, topic: question.topic, limit: PAGE_SIZE, cursor: after })
      .then((page) => {
        if (mine !== generation.current) return;
        setAsked(question);
        setHits((previous) => (after ? [...previous, ...page.items] : page.items));
        setCursor(page.nextCursor);
      })
      .catch((cause: unknown) => mine === generation.current && setError(describeError(cause)))
      .finally(() => mine === generation.current && setLoading(false));
  };
  // Choosing another topic in the library's filter searches again within it.
  useEffect(() => {
    if (asked && asked.topic !== props.topic) load({ query: asked.query, topic: props.topic }, undefined);
  }, [props.topic]);
  const clear = () => {
    generation.current++;
    setQuery('');
    setAsked(null);
    setHits([]);
    setCursor(null);
    setError(null);
    setLoading(false);
  };

  return (
    <div class="search">
      <search>
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (query.trim()) load({ query: query.trim(), topic: props.topic }, undefined);
          }}
        >
          <label for="search-query">Search documents</label>
          <input
            id="search-query"
            type="search"
            value={query}
            maxLength={500}
            placeholder="words, “a phrase”, -without"
            onInput={(event) => setQuery(event.currentTarget.value)}
            onKeyDown={(event) => event.key === 'Escape' && clear()}
          />
          <button type="submit" disabled={!query.trim()}>
            Search
          </button>
          {asked && (
            <button type="button" onClick={clear}>
              Clear search
            </button>
          )}
        </form>
      </search>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {asked && (
        <section aria-label="Search results" class="search-results">
          {asked.topic && <p class="hint">Within the topic “{asked.topic}”.</p>}
          {!loading && !error && hits.length === 0 && (
            <p class="empty" role="status">
              Nothing matches “{asked.query}”. Documents are searchable once processing has read them.
            </p>
          )}
          <ul class="document-list">
            {hits.map((hit) => (
              <li key={hit.id} data-testid="search-hit" data-name={hit.name}>
                <button type="button" class="document" onClick={() => props.onOpen(hit.id)}>
                  <span class="name">{hit.name}</span>
                  <span class="meta">{formatDate(hit.createdAt)}</span>
                  {hit.snippet ? <Snippet text={hit.snippet} /> : <span class="hint">The name matches.</span>}
                </button>
              </li>
            ))}
          </ul>
          {loading && <p class="hint">Searching…</p>}
          {cursor && !loading && (
            <button type="button" onClick={() => load(asked, cursor)}>
              More results
            </button>
          )}
        </section>
      )}
    </div>
  );
}
