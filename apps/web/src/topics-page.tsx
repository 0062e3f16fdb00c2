import type { TopicView } from '@docstore/contract';
import { useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { describeError } from './errors.ts';
import { describeRule, draftOf, MatchRuleFields, NO_RULE, type RuleDraft } from './match-rule-fields.tsx';

/**
 * Create, edit (name and matching rule) and delete topics; a deletion says how many documents lost
 * the topic.
 */
export function TopicsPage(props: { api: Api; topics: TopicView[]; onChange(): void }) {
  const { api } = props;
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [rule, setRule] = useState<RuleDraft>(NO_RULE);
  const [editRule, setEditRule] = useState<RuleDraft>(NO_RULE);
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
            const match = rule.algorithm === 'none' ? undefined : rule;
            const topic = await api.client.topics.create.mutate({ name, match });
            setName('');
            setRule(NO_RULE);
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
        <MatchRuleFields idPrefix="new-topic" rule={rule} onChange={setRule} />
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
                    const match = editRule.algorithm === 'none' ? NO_RULE : editRule;
                    const updated = await api.client.topics.update.mutate({
                      id: topic.id,
                      name: newName,
                      match,
                    });
                    setRenaming(null);
                    return `Topic “${updated.name}” saved.`;
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
                <MatchRuleFields idPrefix={`rule-${topic.id}`} rule={editRule} onChange={setEditRule} />
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
                {describeRule(topic.match) && (
                  <span class="rule" data-testid="topic-rule">
                    {describeRule(topic.match)}
                  </span>
                )}
                <button
                  type="button"
                  aria-label={`Edit ${topic.name}`}
                  onClick={() => {
                    setRenaming(topic.id);
                    setNewName(topic.name);
                    setEditRule(draftOf(topic.match));
                  }}
                >
                  Edit
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
    </section>
  );
}
