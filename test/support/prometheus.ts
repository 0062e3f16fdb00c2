/** One scrape of a Prometheus text endpoint: `value(name, labels)` reads a sample (0 when absent). */
export interface Scrape {
  text: string;
  value(name: string, labels?: Record<string, string>): number;
  /** Whether a metric family of this name was exposed at all (its `# TYPE` line). */
  has(name: string): boolean;
}

/** Parses the text format just enough for tests: `name{a="b",…} value` lines, comments skipped. */
export function parseScrape(text: string): Scrape {
  const samples = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
  return {
    text,
    value(name, labels = {}) {
      const found = samples.filter(
        (sample) =>
          sample.name === name &&
          Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
      );
      if (found.length > 1)
        throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
      return found[0]?.value ?? 0;
    },
    has: (name) => text.includes(`# TYPE ${name} `),
  };
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return parseScrape(await response.text());
}

/** The metrics URL a service logged (`metrics listening` with its port), from its log lines. */
export function metricsUrlOf(logs: string[]): string {
  for (const line of logs) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { message?: unknown; msg?: unknown; port?: unknown };
    if ((entry.message ?? entry.msg) === 'metrics listening' && typeof entry.port === 'number')
      return `http://127.0.0.1:${entry.port}/metrics`;
  }
  throw new Error('the service logged no `metrics listening` line');
}
