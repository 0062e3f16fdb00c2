import type { DocumentView, TopicView } from '@docstore/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { describeError } from './errors.ts';
import { formatBytes, formatDate } from './format.ts';
import { ProcessingPanel } from './processing-panel.tsx';
import { TopicChecks } from './topic-checks.tsx';

/** One document in a modal dialog: download, retag, delete (after a confirmation). */
export function DocumentDetail(props: {
  api: Api;
  document: DocumentView;
  topics: TopicView[];
  onClose(): void;
  onChanged(document: DocumentView): void;
  onDeleted(id: string): void;
}) {
  const { api, document: doc } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const [tags, setTags] = useState(doc.topics);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (cause) {
      setError(describeError(cause));
    } finally {
      setBusy(false);
    }
  };
  const download = () =>
    run(async () => {
      // A short-lived presigned URL that answers with Content-Disposition: attachment.
      const { url } = await api.client.documents.downloadUrl.mutate({ id: doc.id, expiresInSeconds: 60 });
      const link = document.createElement('a');
      link.href = url;
      link.rel = 'noreferrer';
      link.click();
    });
  const saveTopics = () =>
    run(async () => {
      const updated = await api.client.documents.setTopics.mutate({ id: doc.id, topics: tags });
      props.onChanged(updated);
      setNotice('Topics saved.');
    });
  const remove = () =>
    run(async () => {
      await api.client.documents.delete.mutate({ id: doc.id });
      props.onDeleted(doc.id);
    });

  return (
    <dialog ref={dialog} class="detail" aria-labelledby="detail-title" onClose={props.onClose}>
      <h2 id="detail-title">{doc.name}</h2>
      <dl>
        <dt>Size</dt>
        <dd>{formatBytes(doc.size)}</dd>
        <dt>Type</dt>
        <dd>{doc.mimeType}</dd>
        <dt>Added</dt>
        <dd>{formatDate(doc.createdAt)}</dd>
        <dt>Status</dt>
        <dd>{doc.status}</dd>
        {doc.sha256 && (
          <>
            <dt>SHA-256</dt>
            <dd class="hash">{doc.sha256}</dd>
          </>
        )}
      </dl>
      <ProcessingPanel
        api={api}
        document={doc}
        onChanged={(updated) => {
          // An accepted suggestion adds a topic: the checkboxes below show it.
          setTags(updated.topics);
          props.onChanged(updated);
        }}
      />
      <fieldset>
        <legend>Topics</legend>
        {props.topics.length === 0 && <p class="hint">No topics yet: create them under Topics.</p>}
        <TopicChecks topics={props.topics} selected={tags} onChange={setTags} />
        {props.topics.length > 0 && (
          <button type="button" disabled={busy} onClick={saveTopics}>
            Save topics
          </button>
        )}
      </fieldset>
      {notice && <p role="status">{notice}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {confirming ? (
        <fieldset class="confirm">
          <legend>Delete “{doc.name}” for good? This cannot be undone.</legend>
          <button type="button" class="danger" disabled={busy} onClick={remove}>
            Yes, delete
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </fieldset>
      ) : (
        <div class="actions">
          <button type="button" disabled={busy || doc.status !== 'ready'} onClick={download}>
            Download
          </button>
          <button type="button" class="danger" onClick={() => setConfirming(true)}>
            Delete…
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
      )}
    </dialog>
  );
}
