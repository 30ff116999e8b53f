/**
 * The GitLab CI corpus: each file of this folder with its verdict. Refused files name
 * the message (a part of it); accepted ones the notes expected among `notMapped`, and
 * the job-run statuses after a real run (`statuses`, by job-run name) where it is run end
 * to end (test/e2e/gitlab-corpus.test.ts).
 */
export interface CorpusCase {
  file: string;
  verdict: 'accepted' | 'refused';
  /** Refused: a part of the error message. */
  message?: string;
  /** Accepted: parts of notes expected in notMapped. */
  notes?: string[];
  /** Accepted: the pipeline's entries by stage, as converted (entry names), when checked. */
  stages?: Record<string, string[]>;
  /** Accepted and run: job-run status by job-run name; absent: not run end to end. */
  statuses?: Record<string, string>;
  /** Accepted and run: the run's status (MANUAL, QUEUED or RUNNING: held by the manual job run `played`). */
  runStatus?: string;
  /** Then this MANUAL job run is played (playJobRun): the statuses once the run ended again. */
  played?: { jobRun: string; statuses: Record<string, string>; runStatus: string };
}

export const CORPUS: CorpusCase[] = [
  { file: 'circular-reference.yml', verdict: 'refused', message: 'circular reference: build.script → build.script' },
  {
    file: 'circular-reference-chain.yml',
    verdict: 'refused',
    message: 'circular reference: .a.script → .b.script → .a.script',
  },
  { file: 'circular-extends.yml', verdict: 'refused', message: 'circular reference: .a → .b → .a' },
  {
    file: 'needs-unknown.yml',
    verdict: 'refused',
    message: "'test' job needs 'compile' job, but 'compile' does not exist in the pipeline",
  },
  { file: 'needs-null.yml', verdict: 'refused', message: 'test: a needs entry is empty (~)' },
  {
    file: 'needs-forms.yml',
    verdict: 'accepted',
    stages: { build: ['build', 'lint'], test: ['test', 'smoke'] },
    statuses: { build: 'SUCCESS', lint: 'SUCCESS', test: 'SUCCESS', smoke: 'SUCCESS' },
    runStatus: 'SUCCESS',
  },
  {
    file: 'needs-empty-and-dependencies.yml',
    verdict: 'accepted',
    stages: { build: ['build', 'docs'], test: ['package', 'nothing'], deploy: ['early'] },
    statuses: { build: 'SUCCESS', docs: 'SUCCESS', early: 'SUCCESS', package: 'SUCCESS', nothing: 'SUCCESS' },
    runStatus: 'SUCCESS',
  },
  { file: 'dependencies-unknown.yml', verdict: 'refused', message: 'test dependencies: undefined dependency: compile' },
  {
    file: 'parallel.yml',
    verdict: 'accepted',
    notes: ['matrix.parallel.matrix: MY-VAR is not a shell variable name: set as MY_VAR'],
    stages: { test: ['shard', 'matrix'] },
    statuses: {
      'shard [CI_NODE_INDEX=1, CI_NODE_TOTAL=2]': 'SUCCESS',
      'shard [CI_NODE_INDEX=2, CI_NODE_TOTAL=2]': 'SUCCESS',
      'matrix [MY_VAR=a, OS=linux]': 'SUCCESS',
      'matrix [MY_VAR=b, OS=linux]': 'SUCCESS',
    },
    runStatus: 'SUCCESS',
  },
  {
    file: 'unknown-stage.yml',
    verdict: 'refused',
    message: 'deploy: chosen stage deploy does not exist; available stages are .pre, build, test, .post',
  },
  { file: 'when-never.yml', verdict: 'refused', message: 'skipped when unknown value: never' },
  {
    file: 'manual-only.yml',
    verdict: 'accepted',
    stages: { deploy: ['deploy'] },
    statuses: { deploy: 'MANUAL' },
    runStatus: 'SUCCESS',
  },
  {
    file: 'manual.yml',
    verdict: 'accepted',
    // GitLab: what needs an unplayed manual job is skipped once the pipeline is done; playing it runs them.
    statuses: { build: 'SUCCESS', deploy: 'MANUAL', smoke: 'SUCCESS', notify: 'SKIPPED' },
    runStatus: 'SUCCESS',
    played: {
      jobRun: 'deploy',
      statuses: { build: 'SUCCESS', deploy: 'SUCCESS', smoke: 'SUCCESS', notify: 'SUCCESS' },
      runStatus: 'SUCCESS',
    },
  },
  {
    file: 'manual-blocking.yml',
    verdict: 'accepted',
    statuses: { deploy: 'MANUAL', verify: 'PENDING' },
    // Nothing ran yet: the run is MANUAL (GitLab's "blocked"), held by the manual job run.
    runStatus: 'MANUAL',
    played: { jobRun: 'deploy', statuses: { deploy: 'SUCCESS', verify: 'SUCCESS' }, runStatus: 'SUCCESS' },
  },
  {
    file: 'duplicate-keys.yml',
    verdict: 'accepted',
    notes: ['duplicate key "script" (line 3): the last one wins, as in GitLab'],
    statuses: { build: 'SUCCESS' },
    runStatus: 'SUCCESS',
  },
  {
    file: 'spec-header.yml',
    verdict: 'accepted',
    notes: ['spec: inputs are not supported'],
    stages: { test: ['build'] },
  },
  {
    file: 'predefined-variables.yml',
    verdict: 'accepted',
    statuses: { check: 'SUCCESS' },
    runStatus: 'SUCCESS',
  },
  {
    file: 'rules.yml',
    verdict: 'accepted',
    statuses: {
      'api-only': 'SUCCESS',
      'push-only': 'SKIPPED',
      never: 'SKIPPED',
      allowed: 'FAILED',
      'tags-only': 'SKIPPED',
      'not-on-schedules': 'SUCCESS',
    },
    runStatus: 'SUCCESS',
  },
  { file: 'rules-invalid.yml', verdict: 'refused', message: 'build rules[0].if: unexpected "="' },
  {
    file: 'exit-codes.yml',
    verdict: 'accepted',
    stages: { test: ['allowed', 'refused'] },
    statuses: { allowed: 'FAILED', refused: 'FAILED' },
    runStatus: 'FAILED',
  },
  {
    file: 'exit-codes-allowed.yml',
    verdict: 'accepted',
    statuses: { allowed: 'FAILED', after: 'SUCCESS' },
    runStatus: 'SUCCESS',
  },
];
