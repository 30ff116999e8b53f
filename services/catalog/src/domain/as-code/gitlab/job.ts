import { ROUTE_NAME } from '@fluxi/contracts';
import { MAX_ATTEMPTS, MAX_TIMEOUT_SEC } from '../../job.js';
import { isEnvName } from '../../names.js';
import { MAX_TAGS } from '../../routing.js';
import type { FileDocker, FileJob, FileRetry } from '../schema.js';
import { parseDuration } from './duration.js';
import type { GitlabJob } from './read.js';
import { IMAGE_KEYS, NOT_MAPPED } from './keywords.js';
import { isRecord, scalarText, textList, type Raw } from './values.js';

/** Job keys read by the conversion (here or in convert.ts). */
const MAPPED = new Set([
  'stage',
  'image',
  'script',
  'before_script',
  'after_script',
  'variables',
  'needs',
  'dependencies',
  'rules',
  'only',
  'except',
  'allow_failure',
  'when',
  'timeout',
  'retry',
  'artifacts',
  'parallel',
  'inherit',
  'tags',
]);

const PULL_POLICY: Record<string, NonNullable<FileDocker['pullPolicy']>> = {
  always: 'always',
  'if-not-present': 'if_not_present',
  never: 'never',
};

/** GitLab retry reasons → Fluxi failure classes (JOB: the command failed; the rest: the machinery). */
const RETRY_WHEN: Record<string, 'job' | 'timeout' | 'infrastructure'> = {
  script_failure: 'job',
  stuck_or_timeout_failure: 'timeout',
  job_execution_timeout: 'timeout',
  runner_system_failure: 'infrastructure',
  runner_unsupported: 'infrastructure',
  api_failure: 'infrastructure',
  scheduler_failure: 'infrastructure',
  data_integrity_failure: 'infrastructure',
  unmet_prerequisites: 'infrastructure',
  stale_schedule: 'infrastructure',
  archived_failure: 'infrastructure',
  missing_dependency_failure: 'infrastructure',
  unknown_failure: 'infrastructure',
};

export interface ConvertedJob {
  job: FileJob;
  notMapped: string[];
}

/** The Fluxi job of one GitLab job (without its place in the pipeline); undefined when it has no script. */
export function convertJob(gitlab: GitlabJob): ConvertedJob | undefined {
  const { name, config } = gitlab;
  const notMapped: string[] = [];
  const note = (key: string, reason: string) => notMapped.push(`${name}.${key}: ${reason}`);
  for (const key of Object.keys(config)) {
    if (!MAPPED.has(key)) note(key, NOT_MAPPED[key] ?? 'unknown GitLab keyword, not mapped');
  }
  const script = textList(config['script']);
  if (script.length === 0) return undefined;
  const after = textList(config['after_script']);
  if (after.length > 0) {
    note(
      'after_script',
      'approximated: runs in a subshell after the script whatever its result, its failures ignored (GitLab runs it in a separate shell with its own timeout)',
    );
  }
  const env = variables({ ...gitlab.variables, ...(isRecord(config['variables']) ? config['variables'] : {}) }, note);
  const command = commandOf(textList(config['before_script']), script, after);
  const job: FileJob = { command };
  const image = imageOf(config['image'], note);
  if (image !== undefined) job.image = image;
  if (Object.keys(env).length > 0) job.env = env;
  const timeoutSec = timeoutOf(config['timeout'], note);
  if (timeoutSec !== undefined) job.timeoutSec = timeoutSec;
  Object.assign(job, retryOf(config['retry'], note));
  if (config['allow_failure'] === true) job.allowFailure = true;
  const artifacts = artifactsOf(config['artifacts'], note);
  if (artifacts.length > 0) job.artifacts = artifacts;
  // In the order an export writes them.
  const tags = tagsOf(config['tags'], note);
  if (tags.length > 0) job.tags = tags;
  const docker = image === undefined ? undefined : dockerOf(config['image'], note);
  if (docker !== undefined) job.docker = docker;
  predefinedVariables(command, env, gitlab.config['parallel'] !== undefined, note);
  return { job, notMapped };
}

/**
 * One shell text: `set -e` so a failing line fails the job, as in GitLab; with an
 * after_script, the main part runs in a subshell and its status is kept.
 */
function commandOf(before: string[], script: string[], after: string[]): string {
  const main = [...before, ...script];
  if (after.length === 0) return main.length === 1 ? (main[0] as string) : ['set -e', ...main].join('\n');
  return ['(', 'set -e', ...main, ')', 'fluxi_status=$?', '(', ...after, ') || true', 'exit $fluxi_status'].join('\n');
}

function imageOf(value: unknown, note: (key: string, reason: string) => void): string | undefined {
  let image = scalarText(value);
  if (isRecord(value)) {
    const extra = Object.keys(value).filter((key) => !IMAGE_KEYS.includes(key));
    if (extra.length > 0) note('image', `${extra.join(', ')} not mapped`);
    image = scalarText(value['name']);
  }
  if (image?.includes('$') === true) note('image', 'refers to variables: Fluxi uses the name as written');
  return image;
}

/**
 * `image: { entrypoint, pull_policy }` as docker options. `entrypoint: [""]` (GitLab's way
 * to drop the image's entrypoint) is Fluxi's default, the command run with /bin/sh -c.
 */
function dockerOf(value: unknown, note: (key: string, reason: string) => void): FileDocker | undefined {
  if (!isRecord(value)) return undefined;
  const docker: FileDocker = {};
  const entrypoint = textList(value['entrypoint']).filter((part) => part !== '');
  if (entrypoint.length > 0) docker.entrypoint = entrypoint;
  const policies = textList(value['pull_policy']);
  const first = policies[0];
  if (first !== undefined) {
    const policy = PULL_POLICY[first];
    if (policy === undefined) note('image.pull_policy', `${first} is not a pull policy Fluxi knows, left out`);
    else docker.pullPolicy = policy;
    if (policies.length > 1) note('image.pull_policy', `several policies: Fluxi uses the first, ${first}`);
  }
  return Object.keys(docker).length === 0 ? undefined : docker;
}

/**
 * Runner tags as Fluxi tags (an executor must carry them all, as a GitLab runner must):
 * lowercased, other characters turned into "-"; tags that refer to variables are left out.
 */
function tagsOf(value: unknown, note: (key: string, reason: string) => void): string[] {
  const tags: string[] = [];
  for (const tag of textList(value)) {
    if (tag.includes('$')) {
      note('tags', `${tag} refers to variables, left out`);
      continue;
    }
    const fluxi = tag
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '');
    if (!ROUTE_NAME.test(fluxi)) {
      note('tags', `${tag} has no letter or digit, left out`);
      continue;
    }
    if (tags.includes(fluxi)) continue;
    if (tags.length === MAX_TAGS) {
      note('tags', `more than ${MAX_TAGS} tags: ${tag} and the next are left out`);
      break;
    }
    if (fluxi !== tag) note('tags', `${tag} renamed ${fluxi} (Fluxi tags use lowercase letters, digits and -)`);
    tags.push(fluxi);
  }
  return tags;
}

function variables(values: Raw, note: (key: string, reason: string) => void): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, raw] of Object.entries(values)) {
    const value = isRecord(raw) ? scalarText(raw['value']) : scalarText(raw);
    if (!isEnvName(key) || value === undefined) {
      note(`variables.${key}`, 'not a plain variable, left out');
      continue;
    }
    if (/\$\{?[A-Za-z_]/.test(value))
      note(`variables.${key}`, 'refers to other variables: Fluxi sets the value as written');
    env[key] = value;
  }
  return env;
}

function timeoutOf(value: unknown, note: (key: string, reason: string) => void): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    note('timeout', `${JSON.stringify(value)} is not a duration Fluxi reads, left out`);
    return undefined;
  }
  if (seconds > MAX_TIMEOUT_SEC) note('timeout', 'longer than 7 days, shortened to 7 days');
  return seconds === 0 ? undefined : Math.min(seconds, MAX_TIMEOUT_SEC);
}

function retryOf(value: unknown, note: (key: string, reason: string) => void): Pick<FileJob, 'maxAttempts' | 'retry'> {
  if (typeof value === 'number') return value > 0 ? { maxAttempts: Math.min(value, MAX_ATTEMPTS - 1) + 1 } : {};
  if (!isRecord(value)) return {};
  const max = typeof value['max'] === 'number' ? value['max'] : 0;
  if (max <= 0) return {};
  const on = new Set<'job' | 'timeout' | 'infrastructure'>();
  const reasons = textList(value['when']);
  for (const reason of reasons) {
    const mapped = RETRY_WHEN[reason];
    if (mapped !== undefined) on.add(mapped);
    else if (reason !== 'always') note('retry.when', `${reason} is not mapped`);
  }
  const retry: FileRetry = {};
  const order = ['job', 'timeout', 'infrastructure'] as const;
  if (!reasons.includes('always') && on.size > 0) retry.on = order.filter((kind) => on.has(kind));
  const exitCodes = Array.isArray(value['exit_codes'])
    ? value['exit_codes'].filter((code): code is number => typeof code === 'number')
    : typeof value['exit_codes'] === 'number'
      ? [value['exit_codes']]
      : [];
  if (exitCodes.length > 0) {
    retry.exitCodes = exitCodes;
    if (retry.on !== undefined && !retry.on.includes('job')) retry.on.unshift('job');
  }
  return { maxAttempts: Math.min(max, MAX_ATTEMPTS - 1) + 1, ...(Object.keys(retry).length > 0 ? { retry } : {}) };
}

function artifactsOf(value: unknown, note: (key: string, reason: string) => void): string[] {
  if (!isRecord(value)) return [];
  const extra = Object.keys(value).filter((key) => key !== 'paths');
  if (extra.length > 0) note('artifacts', `${extra.join(', ')} not mapped`);
  const paths: string[] = [];
  for (const written of textList(value['paths'])) {
    // The work folder is the project folder: `$CI_PROJECT_DIR/dist` is `dist`.
    const path = written.replace(/^(?:\$CI_PROJECT_DIR|\$\{CI_PROJECT_DIR\})(?:\/+|$)/, '') || '.';
    if (/\$\{?[A-Za-z_]/.test(path)) {
      note('artifacts.paths', `${written} refers to variables, left out`);
      continue;
    }
    if (path.startsWith('/') || path.split('/').includes('..'))
      note('artifacts.paths', `${path} is outside the work folder, left out`);
    else if (!paths.includes(path)) paths.push(path);
  }
  return paths;
}

/** GitLab predefined variables Fluxi sets for every job (the scheduler and the executor). */
const SET_BY_FLUXI = [
  'CI',
  'CI_JOB_NAME',
  'CI_JOB_ID',
  'CI_PIPELINE_ID',
  'CI_PIPELINE_SOURCE',
  'CI_COMMIT_SHA',
  'CI_COMMIT_REF_NAME',
  'CI_COMMIT_BRANCH',
  'CI_COMMIT_TAG',
  'CI_PROJECT_DIR',
];

/** The other CI_* variables of GitLab do not exist under Fluxi: say which ones the script uses. */
function predefinedVariables(
  command: string,
  env: Record<string, string>,
  parallel: boolean,
  note: (key: string, reason: string) => void,
): void {
  const own = new Set([...Object.keys(env), ...(parallel ? ['CI_NODE_INDEX', 'CI_NODE_TOTAL'] : []), ...SET_BY_FLUXI]);
  const used = new Set<string>();
  for (const match of command.matchAll(/\$\{?((?:CI|GITLAB)_[A-Z0-9_]+)/g)) {
    if (!own.has(match[1] as string)) used.add(match[1] as string);
  }
  if (used.size > 0)
    note('script', `uses GitLab predefined variables Fluxi does not set: ${[...used].sort().join(', ')}`);
}
