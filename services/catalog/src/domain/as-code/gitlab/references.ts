import { badInput } from '@fluxi/common';
import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** At most this many `!reference` tags are resolved in one file (each copy counts). */
const MAX_REFERENCES = 1000;

/**
 * Replaces each `!reference [job, key, ...]` by a copy of what it points at, references
 * inside the copy resolved first. A chain that comes back to itself is refused with
 * "circular reference: a → b → a" (GitLab refuses it too); a target missing from the
 * file is left out and reported.
 */
export function resolveReferences(doc: Document, notMapped: string[]): void {
  let budget = MAX_REFERENCES;
  const resolve = (node: unknown, chain: readonly string[]): unknown => {
    if (isSeq(node) && node.tag === '!reference') {
      const path = node.items.map((item) => String(isScalar(item) ? item.value : item));
      const key = path.join('.');
      if (chain.includes(key)) throw circular([...chain.slice(chain.indexOf(key)), key]);
      if (budget-- <= 0) throw badInput(`more than ${MAX_REFERENCES} !reference tags to resolve`, 'yaml');
      const target = doc.getIn(path, true);
      if (!isNode(target)) {
        notMapped.push(`!reference [${path.join(', ')}]: not found in this file, left out`);
        return undefined;
      }
      return resolve(target.clone() as Node, [...chain, key]);
    }
    if (isSeq(node)) {
      node.items = node.items.map((item) => resolve(item, chain)).filter((item) => item !== undefined);
    } else if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) pair.value = resolve(pair.value, chain) ?? null;
    }
    return node;
  };
  // A reference's own place counts as the start of its chain: `a: { script: !reference [a, script] }`.
  const walk = (node: unknown, path: readonly string[]): unknown => {
    if (isSeq(node) && node.tag === '!reference') return resolve(node, [path.join('.')]);
    if (isSeq(node)) {
      node.items = node.items
        .map((item, index) => walk(item, [...path, String(index)]))
        .filter((item) => item !== undefined);
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        pair.value = walk(pair.value, [...path, key]) ?? null;
      }
    }
    return node;
  };
  doc.contents = walk(doc.contents, []) as Document['contents'];
}

function circular(chain: readonly string[]): Error {
  return badInput(`circular reference: ${chain.join(' → ')}`, 'yaml');
}

/** Duplicate keys of a mapping: GitLab keeps the last one; each is reported with its line. */
export function duplicateKeys(doc: Document, lines: LineCounter): string[] {
  const found: string[] = [];
  const visitNode = (node: unknown): void => {
    if (isSeq(node)) for (const item of node.items) visitNode(item);
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (seen.has(key)) {
        const offset = isNode(pair.key) ? pair.key.range?.[0] : undefined;
        const at = offset === undefined ? '' : ` (line ${lines.linePos(offset).line})`;
        found.push(`duplicate key "${key}"${at}: the last one wins, as in GitLab`);
      }
      seen.add(key);
      visitNode(pair.value);
    }
  };
  visitNode(doc.contents);
  return found;
}
