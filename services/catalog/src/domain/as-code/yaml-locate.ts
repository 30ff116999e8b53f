import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { YamlPath } from './problems.js';

export interface Position {
  line: number;
  column: number;
}

/** Finds where a YAML path is written: its value, or its key (`at: 'key'`); the nearest written ancestor otherwise. */
export type Locator = (path: YamlPath, at?: 'key' | 'value') => Position | null;

export function locator(doc: Document, lines: LineCounter): Locator {
  return (path, at = 'value') => {
    const found = walk(doc, path);
    const node = at === 'key' && found.complete ? (found.key ?? found.node) : found.node;
    const offset = node?.range?.[0] ?? found.key?.range?.[0];
    if (offset === undefined) return null;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

interface Found {
  node: Node | null;
  key: Node | null;
  /** Whether the whole path was found. */
  complete: boolean;
}

function walk(doc: Document, path: YamlPath): Found {
  let node = resolve(doc, doc.contents as Node | null);
  let key: Node | null = null;
  for (const segment of path) {
    const next = step(doc, node, segment);
    if (next === undefined) return { node: emptyScalar(node) ? key : node, key, complete: false };
    ({ node, key } = next);
  }
  return { node: emptyScalar(node) ? key : node, key, complete: true };
}

function step(
  doc: Document,
  node: Node | null,
  segment: string | number,
): { node: Node | null; key: Node | null } | undefined {
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment] as Node | undefined;
    return item === undefined ? undefined : { node: resolve(doc, item), key: null };
  }
  if (!isMap(node)) return undefined;
  const pair = findPair(doc, node.items as Pair<Node | null, Node | null>[], String(segment));
  return pair === undefined ? undefined : { node: resolve(doc, pair.value), key: pair.key };
}

/** The pair of `key` in a map's items, looking into `<<` merge sources after its own keys. */
function findPair(
  doc: Document,
  items: Pair<Node | null, Node | null>[],
  key: string,
): Pair<Node | null, Node | null> | undefined {
  const own = items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
  if (own !== undefined) return own;
  for (const pair of items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') continue;
    const sources = resolve(doc, pair.value);
    const maps = isSeq(sources) ? sources.items.map((item) => resolve(doc, item as Node)) : [sources];
    for (const source of maps) {
      const merged = isMap(source) ? findPair(doc, source.items as Pair<Node | null, Node | null>[], key) : undefined;
      if (merged !== undefined) return merged;
    }
  }
  return undefined;
}

function resolve(doc: Document, node: Node | null | undefined): Node | null {
  if (node === undefined || node === null) return null;
  return isAlias(node) ? ((node.resolve(doc) as Node | undefined) ?? null) : node;
}

/** `key:` with nothing after it: point at the key instead of an empty value. */
function emptyScalar(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null && node.source === '');
}
