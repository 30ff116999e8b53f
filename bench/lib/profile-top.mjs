#!/usr/bin/env node
// Reads a .cpuprofile and prints where the time went: self time by package or source folder
// (node_modules/<pkg>, services/<name>/…, node internals, wasm, GC, idle), then the top functions.
// Usage: node bench/lib/profile-top.mjs FILE [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' } },
});
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const deltas = profile.timeDeltas;
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0)));

/** The bucket a frame's time is counted in. */
function bucketOf({ callFrame: { url, functionName } }) {
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
  if (url.startsWith('wasm://')) return 'wasm';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node internals';
  const inRepo = url.match(/(services\/[^/]+|packages\/[^/]+|apps\/[^/]+)\/(?:dist|src)\/([^/]+)/);
  return inRepo ? `${inRepo[1]}/${inRepo[2]}` : url;
}

const total = [...self.values()].reduce((a, b) => a + b, 0);
const buckets = new Map();
const functions = new Map();
for (const [id, us] of self) {
  const node = byId.get(id);
  const bucket = bucketOf(node);
  buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
}
const print = (title, map, limit) => {
  console.log(title);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit))
    console.log(`  ${(us / 1000).toFixed(0).padStart(7)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
};
console.log(`profile: ${(total / 1000).toFixed(0)} ms sampled`);
print('by package or folder (self time):', buckets, 25);
print('top functions (self time):', functions, Number(values.top));
