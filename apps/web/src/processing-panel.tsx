import type { DocumentView, TopicSuggestionView } from '@docstore/contract';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { describeError } from './errors.ts';

const STATUS_WORDS: Record<string, string> = {
  none: 'Not processed yet',
  processing: 'Processing…',
  processed: 'Processed',
  processing_failed: 'Processing failed',
};

/**
 * What processing found for one document (kept fresh by its status events), the AI's topic
 * suggestions to accept or reject, and a way to process it again.
 */
export function ProcessingPanel(props: {
  api: Api;
  document: DocumentView;
  onChanged(doc: DocumentView): void;
}) {
  const { api } = props;
  const id = props.document.id;
  const [doc, setDoc] = useState(props.document);
  const [suggestions, setSuggestions] = useState<TopicSuggestionView[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const loadSuggestions = () =>
    api.client.documents.suggestions
      .query({ id })
      .then(setSuggestions)
      .catch((cause: unknown) => setError(describeError(cause)));
  useEffect(() => {
    void loadSuggestions();
    return api.onStatus((event) => {
      if (event.documentId !== id || event.status === 'deleted') return;
      api.client.documents.get
        .query({ id })
        .then((fresh) => {
          setDoc(fresh);
          if (event.status === 'processed') void loadSuggestions();
        })
        .catch(() => undefined);
    });
  }, [api, id]);

  const run = async (action: () => Promise<DocumentView>) => {
    setBusy(true);
    setError(null);
    try {
      const updated = await action();
      setDoc(updated);
      props.onChanged(updated);
    } catch (cause) {
      setError(describeError(cause));
    } finally {
      setBusy(false);
    }
  };
  const decide = (suggestion: TopicSuggestionView, accept: boolean) =>
    run(async () => {
      const updated = await api.client.documents.applySuggestions.mutate({
        id,
        accept: accept ? [suggestion.id] : [],
        reject: accept ? [] : [suggestion.id],
      });
      await loadSuggestions();
      return updated;
    });

  const found = doc.processing;
  const pending = suggestions.filter((suggestion) => suggestion.state === 'pending');
  return (
    <section class="processing" aria-labelledby="processing-title" data-testid="processing">
      <h3 id="processing-title">What processing found</h3>
      {found ? (
        <dl>
          <dt>Processing</dt>
          <dd data-testid="processing-status">
            {STATUS_WORDS[found.status] ?? found.status}
            {found.failure && ` (${found.failure.replaceAll('_', ' ')})`}
          </dd>
          {found.textLength !== null && (
            <>
              <dt>Text</dt>
              <dd>
                {found.textLength.toLocaleString()} characters{found.truncated && ' (cut at the limit)'}
              </dd>
            </>
          )}
          {found.pages !== null && (
            <>
              <dt>Pages</dt>
              <dd>{found.pages}</dd>
            </>
          )}
          {found.language && (
            <>
              <dt>Language</dt>
              <dd>{found.language}</dd>
            </>
          )}
          {found.duplicateOf && (
            <>
              <dt>Duplicate of</dt>
              <dd class="hash">{found.duplicateOf}</dd>
            </>
          )}
        </dl>
      ) : (
        <p class="hint">This server does not process documents.</p>
      )}
      {pending.length > 0 && (
        <ul class="suggestions" aria-label="Suggested topics">
          {pending.map((suggestion) => (
            <li key={suggestion.id} data-testid="suggestion">
              <span>
                {suggestion.topic}
                {suggestion.isNew && ' (new topic)'} · {Math.round(suggestion.confidence * 100)}%
              </span>
              <button
                type="button"
                disabled={busy}
                aria-label={`Accept ${suggestion.topic}`}
                onClick={() => decide(suggestion, true)}
              >
                Accept
              </button>
              <button
                type="button"
                disabled={busy}
                aria-label={`Reject ${suggestion.topic}`}
                onClick={() => decide(suggestion, false)}
              >
                Reject
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {found && (
        <button
          type="button"
          disabled={busy || doc.status !== 'ready' || found.status === 'processing'}
          onClick={() => run(() => api.client.documents.reprocess.mutate({ id }))}
        >
          Process again
        </button>
      )}
    </section>
  );
}
