import type { TopicView } from '@docstore/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatBytes } from './format.ts';
import { TopicChecks } from './topic-checks.tsx';
import type { UploadQueue, UploadRow } from './uploads.ts';

const PHASE_LABELS: Record<UploadRow['phase'], string> = {
  pending: 'Pending',
  uploading: 'Uploading',
  processing: 'Processing',
  ready: 'Ready',
  failed: 'Failed',
};

/** The drop zone (or file picker) and one row per upload with its live progress. */
export function UploadPanel(props: { queue: UploadQueue; topics: TopicView[] }) {
  const { queue } = props;
  const [rows, setRows] = useState(queue.rows);
  const [over, setOver] = useState(false);
  const [tags, setTags] = useState<string[]>([]);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => queue.subscribe(() => setRows(queue.rows)), [queue]);

  const take = (files: FileList | null | undefined) => {
    if (files && files.length > 0) queue.add([...files], tags);
  };
  const finished = rows.some((row) => row.phase === 'ready' || row.phase === 'failed');
  return (
    <section class="uploads" aria-labelledby="uploads-title">
      <h2 id="uploads-title">Upload</h2>
      <section
        class={over ? 'drop-zone over' : 'drop-zone'}
        aria-label="Drop files here to upload them"
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          take(event.dataTransfer?.files);
        }}
      >
        <p>Drop files here, or</p>
        <button type="button" onClick={() => input.current?.click()}>
          Choose files
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(event) => {
            take(event.currentTarget.files);
            event.currentTarget.value = '';
          }}
        />
      </section>
      {props.topics.length > 0 && (
        <fieldset class="upload-tags">
          <legend>Tag new uploads with</legend>
          <TopicChecks topics={props.topics} selected={tags} onChange={setTags} />
        </fieldset>
      )}
      {rows.length > 0 && (
        <ul class="upload-rows" aria-label="Uploads">
          {rows.map((row) => (
            <UploadRowView key={row.key} row={row} />
          ))}
        </ul>
      )}
      {finished && (
        <button type="button" class="link" onClick={() => queue.clearFinished()}>
          Clear finished
        </button>
      )}
    </section>
  );
}

function UploadRowView({ row }: { row: UploadRow }) {
  const percent = row.size > 0 ? Math.min(100, Math.round((row.sentBytes / row.size) * 100)) : 100;
  let detail = '';
  if (row.phase === 'uploading') {
    detail = `${formatBytes(row.sentBytes)} of ${formatBytes(row.size)}`;
    if (row.speed !== null) detail += ` · ${formatBytes(row.speed)}/s`;
  } else if (row.phase === 'failed') detail = row.error ?? 'failed';
  else if (row.path === 'server' && row.phase === 'pending') detail = 'unfinished on the server';
  else detail = formatBytes(row.size);
  return (
    <li
      class={`upload-row ${row.phase}`}
      data-testid="upload-row"
      data-name={row.name}
      data-phase={row.phase}
    >
      <span class="name">{row.name}</span>
      <span class="phase">{PHASE_LABELS[row.phase]}</span>
      <progress
        max={100}
        value={row.phase === 'failed' ? 0 : percent}
        aria-label={`${row.name} upload progress`}
      />
      <span class={row.phase === 'failed' ? 'detail error' : 'detail'}>{detail}</span>
    </li>
  );
}
