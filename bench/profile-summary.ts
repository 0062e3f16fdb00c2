/**
 * Summarises a .cpuprofile: self time by function and by package, and total (inclusive) time of the
 * functions whose name matches an optional filter. `node --import tsx bench/profile-summary.ts FILE [top] [filter]`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg, filter] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts FILE [top] [filter]');
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const selfMs = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
});
const total = [...selfMs.values()].reduce((sum, value) => sum + value, 0);

const where = (node: ProfileNode) => {
  const url = node.callFrame.url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/work/main/'))
    return url
      .replace(/.*\/work\/main\//, '')
      .split('/')
      .slice(0, 2)
      .join('/');
  return url.startsWith('node:') ? 'node-internal' : url || '(native/vm)';
};
const label = (node: ProfileNode) =>
  `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/.*\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/)?/, '')}:${node.callFrame.lineNumber + 1}`;

const add = (map: Map<string, number>, key: string, value: number) =>
  map.set(key, (map.get(key) ?? 0) + value);
const bySelf = new Map<string, number>();
const byPackage = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const node = byId.get(id);
  if (!node) continue;
  add(bySelf, label(node), ms);
  add(byPackage, where(node), ms);
  // Inclusive: every distinct frame label on the stack gets the sample once.
  const seen = new Set<string>();
  for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
    const frame = byId.get(cursor);
    if (!frame) break;
    const key = label(frame);
    if (seen.has(key)) continue;
    seen.add(key);
    add(inclusive, key, ms);
  }
}
const print = (title: string, map: Map<string, number>, rows = top, match?: string) => {
  process.stdout.write(`\n${title}\n`);
  [...map]
    .filter(([key]) => !match || key.includes(match))
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .forEach(([key, ms]) => {
      process.stdout.write(
        `${ms.toFixed(0).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`,
      );
    });
};
process.stdout.write(
  `sampled ${total.toFixed(0)} ms over ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms\n`,
);
print('self time by package', byPackage);
print('self time by function', bySelf);
print('inclusive time', inclusive, top, filter);

// With a filter: who calls the matching frames (self + below), by caller chain of 4 frames.
if (filter) {
  const chains = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const stack: ProfileNode[] = [];
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = byId.get(cursor);
      if (frame) stack.push(frame);
    }
    const index = stack.findIndex((frame) => label(frame).includes(filter));
    if (index < 0) continue;
    add(
      chains,
      stack
        .slice(index, index + 6)
        .map((frame) => label(frame))
        .join(' <- '),
      ms,
    );
  }
  print(`callers of ${filter}`, chains, top);
}
