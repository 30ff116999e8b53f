import { badInput } from '@fluxi/common';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { IMAGE_KEYS, NOT_MAPPED } from './keywords.js';
import { duplicateKeys, resolveReferences } from './references.js';
import { deepMerge, isRecord, scalarText, textList, type Raw } from './values.js';

/** Top-level keys that are not jobs. */
const GLOBAL_KEYS = new Set([
  'default',
  'include',
  'stages',
  'types',
  'variables',
  'workflow',
  'spec',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
]);

/** `default:` keys the conversion applies to every job; the others are reported once. */
const DEFAULT_KEYS = ['image', 'before_script', 'after_script', 'retry', 'timeout', 'artifacts', 'tags'];

const GLOBAL_REASONS: Record<string, string> = {
  include: 'included files are not fetched: their jobs and templates are missing',
  workflow: 'pipeline-level rules are not evaluated',
  spec: 'inputs are not supported',
  services: 'service containers are not supported',
  cache: 'caches are not supported',
  types: 'use stages',
};

export interface GitlabJob {
  /** The GitLab job name. */
  name: string;
  /** Its keys after `extends`, `default:` and `inherit` were applied. */
  config: Raw;
  /** Global variables it inherits (before its own). */
  variables: Raw;
}

export interface GitlabConfig {
  stages: string[];
  /** Visible jobs in file order. */
  jobs: GitlabJob[];
  notMapped: string[];
  /** The file includes others (not fetched): jobs it does not hold may come from them. */
  includes: boolean;
}

/**
 * Reads a `.gitlab-ci.yml`: YAML with anchors, `<<` merge keys and `!reference`
 * tags resolved, then `extends`, `default:` (and the old top-level image and
 * scripts) and `inherit` applied to each visible job. Hidden jobs (`.name`) are templates.
 */
export function readGitlabCi(text: string): GitlabConfig {
  const notMapped: string[] = [];
  const lines = new LineCounter();
  const doc = configDocument(text, lines, notMapped);
  notMapped.push(...duplicateKeys(doc, lines));
  resolveReferences(doc, notMapped);
  const root: unknown = doc.toJS({ maxAliasCount: 10_000 });
  if (!isRecord(root)) throw badInput('the GitLab file must be a mapping of jobs and keywords', 'yaml');

  const defaults = defaultsOf(root, notMapped);
  const globalVariables = isRecord(root['variables']) ? root['variables'] : {};
  const jobs: GitlabJob[] = [];
  for (const [name, value] of Object.entries(root)) {
    if (GLOBAL_KEYS.has(name)) {
      const reason = GLOBAL_REASONS[name];
      if (reason !== undefined) notMapped.push(`${name}: ${reason}`);
      continue;
    }
    if (name.startsWith('.') || !isRecord(value)) continue;
    const extended = withExtends(name, root, notMapped, []);
    jobs.push({
      name,
      config: withDefaults(extended, defaults),
      variables: inherited(globalVariables, extended['inherit'], 'variables'),
    });
  }
  const stages = textList(root['stages'] ?? root['types']);
  return {
    stages: stages.length > 0 ? stages : ['build', 'test', 'deploy'],
    jobs,
    notMapped,
    includes: root['include'] !== undefined,
  };
}

/**
 * The configuration document: a file may start with a `spec:` header document (inputs,
 * `---`, then the configuration), as GitLab reads it. Duplicate keys are accepted (the
 * last one wins, as in GitLab) and reported by the caller.
 */
function configDocument(text: string, lines: LineCounter, notMapped: string[]): Document {
  const docs = parseAllDocuments(text, { merge: true, prettyErrors: false, uniqueKeys: false, lineCounter: lines });
  if (!Array.isArray(docs)) return invalid('the file is empty');
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error !== undefined) invalid(error.message);
  }
  const [first, second, ...rest] = docs;
  if (first === undefined) return invalid('the file is empty');
  if (second === undefined) return first;
  const header: unknown = first.toJS();
  if (rest.length > 0 || !isRecord(header) || Object.keys(header).some((key) => key !== 'spec')) {
    return invalid('a GitLab file holds one document, or a spec: header document then the configuration');
  }
  notMapped.push('spec: inputs are not supported: $[[ inputs.* ]] is left as written');
  return second;
}

function invalid(reason: string): never {
  throw badInput(`the GitLab file is not valid YAML: ${reason}`, 'yaml');
}

/** `default:` and the old top-level keys; an image's options are reported here once, not per job. */
function defaultsOf(root: Raw, notMapped: string[]): Raw {
  const defaults: Raw = {};
  for (const key of ['image', 'before_script', 'after_script'] as const) {
    if (root[key] !== undefined) defaults[key] = root[key];
  }
  const section = root['default'];
  for (const [key, value] of Object.entries(isRecord(section) ? section : {})) {
    if (DEFAULT_KEYS.includes(key)) defaults[key] = value;
    else notMapped.push(`default.${key}: ${NOT_MAPPED[key] ?? 'not mapped'}`);
  }
  const image = defaults['image'];
  if (isRecord(image)) {
    const extra = Object.keys(image).filter((key) => !IMAGE_KEYS.includes(key));
    if (extra.length > 0) notMapped.push(`default.image: ${extra.join(', ')} not mapped`);
    defaults['image'] = Object.fromEntries(Object.entries(image).filter(([key]) => IMAGE_KEYS.includes(key)));
  }
  return defaults;
}

/** The job's keys with its `extends` templates merged in (deep merge, the job's own keys last). */
function withExtends(name: string, root: Raw, notMapped: string[], chain: string[]): Raw {
  const own = root[name];
  if (!isRecord(own)) return {};
  let merged: Raw = {};
  for (const parent of textList(own['extends'])) {
    if (chain.includes(parent) || parent === name) {
      const cycle = [...chain, name];
      throw badInput(`circular reference: ${[...cycle.slice(cycle.indexOf(parent)), parent].join(' → ')}`, 'yaml');
    } else if (!isRecord(root[parent])) {
      notMapped.push(`${chain[0] ?? name}.extends: ${parent} is not in this file (include is not followed)`);
    } else {
      merged = deepMerge(merged, withExtends(parent, root, notMapped, [...chain, name]));
    }
  }
  const { extends: _extends, ...rest } = own;
  return deepMerge(merged, rest);
}

function withDefaults(config: Raw, defaults: Raw): Raw {
  const allowed = inherited(defaults, config['inherit'], 'default');
  return { ...allowed, ...config };
}

/** What `inherit: { default | variables: true | false | [names] }` lets through. */
function inherited(values: Raw, inherit: unknown, kind: 'default' | 'variables'): Raw {
  const rule = isRecord(inherit) ? inherit[kind] : undefined;
  if (rule === false) return {};
  if (!Array.isArray(rule)) return values;
  const names = new Set(rule.map((item) => scalarText(item)));
  return Object.fromEntries(Object.entries(values).filter(([key]) => names.has(key)));
}
