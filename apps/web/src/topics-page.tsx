import type { TopicView } from '@docstore/contract';
import { useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { describeError } from './errors.ts';

/** Create, rename and delete topics; a deletion says how many documents lost the topic. */
export function TopicsPage(props: { api: Api; topics: TopicView[]; onChange(): void }) {
  const { api } = props;
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const run = async (action: () => Promise<string>) => {
    setError(null);
    setNotice(null);
    try {
      setNotice(await action());
      props.onChange();
    } catch (cause) {
      setError(describeError(cause));
    }
  };
  return (
    <section aria-labelledby="topics-title">
      <h2 id="topics-title">Topics</h2>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const topic = await api.client.topics.create.mutate({ name });
            setName('');
            return `Topic “${topic.name}” created.`;
          });
        }}
      >
        <label for="new-topic">New topic</label>
        <input
          id="new-topic"
          value={name}
          maxLength={64}
          required
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit">Create</button>
      </form>
      {notice && <p role="status">{notice}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {props.topics.length === 0 && (
        <p class="empty">No topics yet. Topics tag documents and filter the library.</p>
      )}
      <ul class="topic-list" aria-label="Topics">
        {props.topics.map((topic) => (
          <li key={topic.id} data-testid="topic-row" data-topic={topic.name}>
            {renaming === topic.id ? (
              <form
                class="inline-form"
                onSubmit={(event) => {
                  event.preventDefault();
                  void run(async () => {
                    const updated = await api.client.topics.update.mutate({ id: topic.id, name: newName });
                    setRenaming(null);
                    return `Renamed to “${updated.name}”.`;
                  });
                }}
              >
                <label for={`rename-${topic.id}`}>New name for {topic.name}</label>
                <input
                  id={`rename-${topic.id}`}
                  value={newName}
                  maxLength={64}
                  required
                  onInput={(e) => setNewName(e.currentTarget.value)}
                />
                <button type="submit">Save</button>
                <button type="button" onClick={() => setRenaming(null)}>
                  Cancel
                </button>
              </form>
            ) : deleting === topic.id ? (
              <fieldset class="confirm">
                <legend>
                  Delete “{topic.name}”? It is removed from the documents that carry it ({topic.documentCount}{' '}
                  ready).
                </legend>
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    void run(async () => {
                      const result = await api.client.topics.delete.mutate({ id: topic.id });
                      setDeleting(null);
                      return `Topic “${result.name}” deleted; removed from ${result.removedFrom} document${result.removedFrom === 1 ? '' : 's'}.`;
                    })
                  }
                >
                  Yes, delete
                </button>
                <button type="button" onClick={() => setDeleting(null)}>
                  Keep it
                </button>
              </fieldset>
            ) : (
              <>
                <span class="name">{topic.name}</span>
                <span class="count">{topic.documentCount} documents</span>
                <button
                  type="button"
                  aria-label={`Rename ${topic.name}`}
                  onClick={() => {
                    setRenaming(topic.id);
                    setNewName(topic.name);
                  }}
                >
                  Rename
                </button>
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete ${topic.name}`}
                  onClick={() => setDeleting(topic.id)}
                >
                  Delete…
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {/* Matching rules per topic go here with issue 11. */}
    </section>
  );
}
