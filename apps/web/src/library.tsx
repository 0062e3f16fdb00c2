import type { DocumentView, TopicView } from '@docstore/contract';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { DocumentDetail } from './document-detail.tsx';
import { describeError } from './errors.ts';
import { formatBytes, formatDate } from './format.ts';
import { SearchBox } from './search-box.tsx';

const PAGE_SIZE = 30;

/**
 * Documents newest first, a page at a time as the list scrolls (keyset cursor), filtered by topic,
 * kept live by status events: another tab's or the CLI's uploads and deletions show up here.
 */
export function Library(props: {
  api: Api;
  topics: TopicView[];
  onPending(documents: DocumentView[]): void;
  onChange(): void;
}) {
  const { api } = props;
  const [filter, setFilter] = useState<string | undefined>(undefined);
  const [items, setItems] = useState<DocumentView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<DocumentView | null>(null);
  const generation = useRef(0);
  const sentinel = useRef<HTMLLIElement>(null);

  const loadPage = useCallback(
    (after: string | undefined) => {
      const mine = generation.current;
      setLoading(true);
      api.client.documents.list
        .query({ topic: filter, cursor: after, limit: PAGE_SIZE })
        .then((page) => {
          if (mine !== generation.current) return;
          setItems((previous) => (after ? [...previous, ...page.items] : page.items));
          setCursor(page.nextCursor);
          setError(null);
          if (!after) props.onPending(page.items);
        })
        .catch((cause: unknown) => mine === generation.current && setError(describeError(cause)))
        .finally(() => mine === generation.current && setLoading(false));
    },
    [api, filter, props.onPending],
  );

  useEffect(() => {
    generation.current++;
    setItems([]);
    setCursor(null);
    loadPage(undefined);
  }, [loadPage]);

  // The next page loads when the end of the list scrolls into view.
  useEffect(() => {
    const end = sentinel.current;
    if (!end || !cursor || loading) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadPage(cursor);
    });
    observer.observe(end);
    return () => observer.disconnect();
  }, [cursor, loading, loadPage]);

  useEffect(
    () =>
      api.onStatus((event) => {
        if (event.status === 'deleted') {
          setItems((previous) => previous.filter((doc) => doc.id !== event.documentId));
          return;
        }
        if (event.status === 'receiving') return;
        api.client.documents.get
          .query({ id: event.documentId })
          .then((doc) => {
            if (filter !== undefined && !doc.topics.includes(filter)) return;
            // Processing events follow `ready` for older documents too (a reprocess, a slow queue):
            // they refresh a row on the page but never add one (that would break the paging).
            const processingEvent = ['processing', 'processed', 'processing_failed'].includes(event.status);
            setItems((previous) =>
              previous.some((item) => item.id === doc.id)
                ? previous.map((item) => (item.id === doc.id ? doc : item))
                : processingEvent
                  ? previous
                  : [doc, ...previous],
            );
          })
          .catch(() => undefined);
      }),
    [api, filter],
  );

  return (
    <section class="library" aria-labelledby="library-title">
      <h2 id="library-title">Library</h2>
      <SearchBox
        api={api}
        topic={filter}
        onOpen={(id) =>
          api.client.documents.get
            .query({ id })
            .then(setSelected)
            .catch((cause: unknown) => setError(describeError(cause)))
        }
      />
      <div class="library-body">
        <nav class="topic-filter" aria-label="Filter by topic">
          <button type="button" aria-pressed={filter === undefined} onClick={() => setFilter(undefined)}>
            All documents
          </button>
          {props.topics.map((topic) => (
            <button
              key={topic.id}
              type="button"
              aria-pressed={filter === topic.name}
              data-testid="topic-filter"
              data-topic={topic.name}
              onClick={() => setFilter(topic.name)}
            >
              <span>{topic.name}</span>
              <span class="count" data-testid="topic-count">
                {topic.documentCount}
              </span>
            </button>
          ))}
        </nav>
        <div class="documents">
          {error && (
            <p role="alert" class="error">
              {error}{' '}
              <button type="button" onClick={() => loadPage(undefined)}>
                Retry
              </button>
            </p>
          )}
          {!loading && !error && items.length === 0 && (
            <p class="empty">
              {filter
                ? `No documents carry the topic “${filter}”.`
                : 'No documents yet: drop some files above.'}
            </p>
          )}
          <ul class="document-list" aria-label="Documents">
            {items.map((doc) => (
              <li
                key={doc.id}
                data-testid="document"
                data-name={doc.name}
                data-status={doc.status}
                data-processing={doc.processing?.status}
              >
                <button type="button" class="document" onClick={() => setSelected(doc)}>
                  <span class="name">{doc.name}</span>
                  <span class="meta">
                    {formatBytes(doc.size)} · {formatDate(doc.createdAt)}
                    {doc.status !== 'ready' && <span class={`badge ${doc.status}`}>{doc.status}</span>}
                  </span>
                  {doc.topics.length > 0 && (
                    <span class="tags">
                      {doc.topics.map((name) => (
                        <span key={name} class="tag">
                          {name}
                        </span>
                      ))}
                    </span>
                  )}
                </button>
              </li>
            ))}
            <li ref={sentinel} class="sentinel" aria-hidden="true" />
          </ul>
          {loading && <p class="hint">Loading…</p>}
          {cursor && !loading && (
            <button type="button" onClick={() => loadPage(cursor)}>
              Load more
            </button>
          )}
        </div>
      </div>
      {selected && (
        <DocumentDetail
          api={api}
          document={selected}
          topics={props.topics}
          onClose={() => setSelected(null)}
          onChanged={(doc) => {
            setItems((previous) => previous.map((item) => (item.id === doc.id ? doc : item)));
            props.onChange();
          }}
          onDeleted={(id) => {
            setItems((previous) => previous.filter((item) => item.id !== id));
            setSelected(null);
            props.onChange();
          }}
        />
      )}
    </section>
  );
}
