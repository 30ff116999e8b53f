import { badInput, CiExpressionError, parseCiExpression } from '@fluxi/common';
import type { FileEntry } from '../schema.js';
import type { GitlabJob } from './read.js';
import { isRecord, scalarText, textList } from './values.js';

type FileRule = NonNullable<FileEntry['rules']>[number];

/** `only`/`except` ref keywords as conditions over CI_PIPELINE_SOURCE and the ref. */
const REF_KEYWORDS: Record<string, string> = {
  branches: '$CI_COMMIT_BRANCH',
  tags: '$CI_COMMIT_TAG',
  api: '$CI_PIPELINE_SOURCE == "api"',
  web: '$CI_PIPELINE_SOURCE == "web"',
  schedules: '$CI_PIPELINE_SOURCE == "schedule"',
  pushes: '$CI_PIPELINE_SOURCE == "push"',
  triggers: '$CI_PIPELINE_SOURCE == "trigger"',
  pipelines: '$CI_PIPELINE_SOURCE == "pipeline"',
  merge_requests: '$CI_PIPELINE_SOURCE == "merge_request_event"',
  external: '$CI_PIPELINE_SOURCE == "external"',
  chat: '$CI_PIPELINE_SOURCE == "chat"',
};

/**
 * GitLab `rules` (and `only`/`except` on refs and variables, rewritten as rules) as Fluxi
 * entry rules, decided when a run is created. `changes` and `exists` are not mapped (the
 * rule is read without them). Undefined: no rules.
 */
export function rulesOf(gitlab: GitlabJob, notMapped: string[]): FileRule[] | undefined {
  const note = (key: string, reason: string) => notMapped.push(`${gitlab.name}.${key}: ${reason}`);
  const { rules, only, except } = gitlab.config;
  if (Array.isArray(rules)) return rules.flat(10).flatMap((rule: unknown, index) => ruleOf(gitlab, rule, index, note));
  if (only === undefined && except === undefined) return undefined;
  return [...refRules(gitlab, except, 'except', note), ...refRules(gitlab, only, 'only', note)];
}

function ruleOf(
  gitlab: GitlabJob,
  rule: unknown,
  index: number,
  note: (key: string, reason: string) => void,
): FileRule[] {
  if (!isRecord(rule)) return [];
  const key = `rules[${index}]`;
  for (const other of Object.keys(rule).filter((k) => !['if', 'when', 'allow_failure'].includes(k))) {
    note(
      `${key}.${other}`,
      other === 'changes' || other === 'exists'
        ? 'not mapped: the rule is decided without it'
        : 'not mapped, the rest of the rule is',
    );
  }
  const condition = scalarText(rule['if']);
  if (condition !== undefined) checkCondition(gitlab, condition, `${key}.if`);
  const own = { ...gitlab.variables, ...(isRecord(gitlab.config['variables']) ? gitlab.config['variables'] : {}) };
  if (condition?.includes('CI_DEFAULT_BRANCH') === true && own['CI_DEFAULT_BRANCH'] === undefined) {
    note(
      `${key}.if`,
      "CI_DEFAULT_BRANCH is the installation's scheduler.ciDefaultBranch (default main), not the repository's: set it in variables if it differs",
    );
  }
  const written = scalarText(rule['when']) ?? 'on_success';
  let when: FileRule['when'];
  if (written === 'delayed') {
    note(`${key}.when`, 'delayed runs at once');
  } else if (['on_failure', 'always', 'manual', 'never'].includes(written)) {
    when = written as FileRule['when'];
  } else if (written !== 'on_success') {
    throw badInput(`${gitlab.name} rules when unknown value: ${written} (GitLab refuses this file)`, key);
  }
  const allow = rule['allow_failure'];
  if (isRecord(allow)) note(`${key}.allow_failure`, 'exit_codes in a rule are not mapped');
  return [
    {
      ...(condition === undefined ? {} : { if: condition }),
      ...(when === undefined ? {} : { when }),
      ...(typeof allow === 'boolean' ? { allowFailure: allow } : {}),
    },
  ];
}

/** `only` (a rule per ref, none holding skips) or `except` (a never rule per ref, then one that holds). */
function refRules(
  gitlab: GitlabJob,
  value: unknown,
  kind: 'only' | 'except',
  note: (key: string, reason: string) => void,
): FileRule[] {
  if (value === undefined || value === null) return [];
  const refs = isRecord(value) ? textList(value['refs']) : textList(value);
  const variables = isRecord(value) ? textList(value['variables']) : [];
  if (isRecord(value)) {
    for (const other of Object.keys(value).filter((k) => k !== 'refs' && k !== 'variables'))
      note(`${kind}.${other}`, 'not mapped');
  }
  const conditions = refs.map(refCondition);
  const anyVariable = variables.length === 0 ? undefined : variables.map((v) => `(${v})`).join(' || ');
  const joined = (ref: string | undefined) =>
    ref === undefined ? anyVariable : anyVariable === undefined ? ref : `(${ref}) && (${anyVariable})`;
  const ifs = conditions.length === 0 ? [joined(undefined)] : conditions.map(joined);
  for (const condition of ifs) if (condition !== undefined) checkCondition(gitlab, condition, kind);
  if (kind === 'only') return ifs.map((condition) => (condition === undefined ? {} : { if: condition }));
  return [
    ...ifs.map((condition): FileRule => ({ ...(condition === undefined ? {} : { if: condition }), when: 'never' })),
    {},
  ];
}

function refCondition(ref: string): string {
  const keyword = REF_KEYWORDS[ref];
  if (keyword !== undefined) return keyword;
  if (/^\/.*\/[a-z]*$/.test(ref)) return `$CI_COMMIT_REF_NAME =~ ${ref}`;
  return `$CI_COMMIT_REF_NAME == ${JSON.stringify(ref)}`;
}

function checkCondition(gitlab: GitlabJob, condition: string, field: string): void {
  try {
    parseCiExpression(condition);
  } catch (error) {
    if (!(error instanceof CiExpressionError)) throw error;
    throw badInput(`${gitlab.name} ${field}: ${error.message}`, `${gitlab.name}.${field}`);
  }
}
