import type { TopicView } from '@docstore/contract';

/** One labelled checkbox per topic; `selected` holds topic names, `onChange` gets the new list. */
export function TopicChecks(props: {
  topics: TopicView[];
  selected: string[];
  onChange(selected: string[]): void;
}) {
  const { selected } = props;
  return (
    <>
      {props.topics.map((topic) => (
        <label key={topic.id}>
          <input
            type="checkbox"
            checked={selected.includes(topic.name)}
            onChange={(event) =>
              props.onChange(
                event.currentTarget.checked
                  ? [...selected, topic.name]
                  : selected.filter((name) => name !== topic.name),
              )
            }
          />
          {topic.name}
        </label>
      ))}
    </>
  );
}
