import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDefinitions } from '../check.js';
import { stringifySections } from '../to-yaml.js';
import { convertGitlabCi } from './convert.js';
import { parseDuration } from './duration.js';

const fixture = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

/** The converted file must pass the same checks as a hand-written one. */
function converted(name: string) {
  const conversion = convertGitlabCi(fixture(name), 'ci');
  const yaml = stringifySections(conversion.sections);
  const read = readDefinitions(yaml, { jobs: new Set(), pipelines: new Set() });
  expect(read.ok ? [] : read.problems).toEqual([]);
  return { ...conversion, yaml };
}

describe('convertGitlabCi: a Node project (stages, default, anchors, extends, cache, artifacts, matrix, rules)', () => {
  const { sections, notMapped } = converted('node-project.gitlab-ci.yml');

  it('maps every job with a script, with default image, global variables and before_script from anchors or extends', () => {
    const env = { NPM_CONFIG_CACHE: '.npm', NODE_ENV: 'test' };
    // `default: tags: [docker]` reaches every job.
    const tags = ['docker'];
    expect(Object.fromEntries(sections.jobs)).toEqual({
      build: {
        command: 'set -e\nnpm run build\necho "built $CI_COMMIT_SHORT_SHA"',
        image: 'node:20-alpine',
        env,
        artifacts: ['dist/'],
        tags,
      },
      install: { command: 'npm ci', image: 'node:20-alpine', env, artifacts: ['node_modules/'], tags },
      lint: {
        command: 'set -e\nnpm ci --prefer-offline\nnpm run lint\nnpm run typecheck',
        image: 'node:20-alpine',
        env,
        tags,
      },
      publish: { command: 'npm publish', image: 'node:20-alpine', env, tags },
      test: {
        command: 'set -e\nnpm ci --prefer-offline\nnpm test -- --coverage',
        image: 'node:${NODE_VERSION}-alpine',
        env,
        artifacts: ['coverage/'],
        tags,
      },
    });
  });

  it('makes one pipeline from the stages, needs and the parallel matrix, the manual job waiting for a person', () => {
    expect(sections.pipelines.get('ci')).toEqual({
      description: 'Converted from .gitlab-ci.yml',
      stages: [
        { name: 'install', jobs: [{ job: 'install' }] },
        {
          name: 'check',
          jobs: [
            { job: 'lint', needs: ['install'] },
            {
              job: 'test',
              needs: ['install'],
              matrix: { NODE_VERSION: ['18', '20', '22'], DB: ['postgres', 'sqlite'] },
              rules: [
                { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
                { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' },
              ],
            },
          ],
        },
        { name: 'build', jobs: [{ job: 'build' }] },
        {
          name: 'publish',
          jobs: [
            {
              job: 'publish',
              needs: ['build', 'test'],
              when: 'manual',
              allowFailure: true,
              rules: [{ if: '$CI_COMMIT_TAG' }],
            },
          ],
        },
      ],
    });
  });

  it('lists what it could not map', () => {
    expect(notMapped).toEqual([
      'default.cache: caches are not supported',
      'install.artifacts: expire_in not mapped',
      'lint.interruptible: not supported',
      'test.interruptible: not supported',
      'test.coverage: coverage is not collected',
      'test.image: refers to variables: Fluxi uses the name as written',
      'test.artifacts: when, reports not mapped',
      'build.script: uses GitLab predefined variables Fluxi does not set: CI_COMMIT_SHORT_SHA',
      "test.rules[1].if: CI_DEFAULT_BRANCH is the installation's scheduler.ciDefaultBranch (default main), not the repository's: set it in variables if it differs",
    ]);
  });
});

describe('convertGitlabCi: a deploy pipeline (needs, when, allow_failure, retry, timeout, variables, before_script, default)', () => {
  const { yaml, notMapped } = converted('deploy.gitlab-ci.yml');

  it('maps retry, timeouts, allow_failure, when, renamed jobs and after_script', () => {
    expect(yaml).toBe(`version: 1
jobs:
  build-image:
    command: |-
      set -e
      docker build -t "$TAG" .
      docker push "$TAG"
    image: docker:27
    env:
      APP: shop-api
      REGISTRY: registry.example.com
      DOCKER_TLS_CERTDIR: /certs
      TAG: $REGISTRY/$APP:$CI_COMMIT_SHA
    timeoutSec: 1800
    maxAttempts: 3
  deploy-staging:
    command: |-
      (
      set -e
      apk add --no-cache curl
      ./deploy.sh "$TARGET"
      )
      fluxi_status=$?
      (
      ./notify.sh "$TARGET" done
      ) || true
      exit $fluxi_status
    image: alpine:3.20
    env:
      APP: shop-api
      REGISTRY: registry.example.com
      TARGET: staging
    timeoutSec: 1800
    maxAttempts: 2
    retry:
      on: [timeout, infrastructure]
  report:
    command: curl -fsS https://status.example.com/report
    image: curlimages/curl:8.8.0
    env:
      APP: shop-api
      REGISTRY: registry.example.com
    timeoutSec: 10800
  rollback:
    command: |-
      set -e
      apk add --no-cache curl
      ./rollback.sh staging
    image: alpine:3.20
    env:
      APP: shop-api
      REGISTRY: registry.example.com
    timeoutSec: 1800
    maxAttempts: 2
    retry:
      on: [timeout, infrastructure]
  smoke:
    command: |-
      set -e
      apk add --no-cache curl
      ./smoke.sh
    image: alpine:3.20
    env:
      APP: shop-api
      REGISTRY: registry.example.com
    timeoutSec: 1800
    maxAttempts: 3
    retry:
      on: [job]
      exitCodes: [75]
  unit-tests:
    command: |-
      set -e
      apk add --no-cache curl
      ./run-tests.sh
    image: alpine:3.20
    env:
      APP: shop-api
      REGISTRY: registry.example.com
    timeoutSec: 5400
    maxAttempts: 2
    retry:
      on: [timeout, infrastructure]
    allowFailure: true
pipelines:
  ci:
    description: Converted from .gitlab-ci.yml
    stages:
      - name: build
        jobs:
          - job: build-image
      - name: test
        jobs:
          - job: unit-tests
            needs: [build-image]
          - job: smoke
            needs: [build-image]
            artifactsFrom: []
            allowFailureExitCodes: [3]
      - name: deploy
        jobs:
          - job: deploy-staging
            needs: [unit-tests, smoke]
          - job: rollback
            needs: [deploy-staging]
            when: on_failure
      - name: verify
        jobs:
          - job: report
            when: always
`);
  });

  it('lists what it could not map', () => {
    expect(notMapped).toEqual([
      'build-image.services: service containers are not supported',
      'build-image.variables.TAG: refers to other variables: Fluxi sets the value as written',
      'unit tests: renamed unit-tests (Fluxi names use letters, digits, _ . -)',
      'deploy-staging.environment: environments are not tracked',
      'deploy-staging.resource_group: not mapped: a pipeline concurrency group is the nearest Fluxi feature',
      'deploy-staging.after_script: approximated: runs in a subshell after the script whatever its result, its failures ' +
        'ignored (GitLab runs it in a separate shell with its own timeout)',
      'trigger-docs: no script (trigger and other script-less jobs are not mapped), left out',
    ]);
  });
});

describe('convertGitlabCi: smaller cases', () => {
  it('resolves !reference tags, parallel counts, several matrix sets and include', () => {
    const { sections, notMapped } = convertGitlabCi(
      `include: [{ project: group/templates, file: ci.yml }]
.setup:
  script: [echo setup]
shard:
  parallel: 3
  script:
    - !reference [.setup, script]
    - ./test.sh "$CI_NODE_INDEX/$CI_NODE_TOTAL"
deploy:
  needs: [shard, other-project-job]
  parallel:
    matrix:
      - { REGION: [eu, us] }
      - { REGION: ap, SIZE: 2 }
  script: ./deploy.sh
  extends: .missing
`,
      'p',
    );
    expect(sections.jobs.get('shard')?.command).toBe('set -e\necho setup\n./test.sh "$CI_NODE_INDEX/$CI_NODE_TOTAL"');
    expect(sections.pipelines.get('p')?.stages).toEqual([
      {
        name: 'test',
        jobs: [
          { job: 'shard', matrix: { CI_NODE_INDEX: ['1', '2', '3'], CI_NODE_TOTAL: ['3'] } },
          { job: 'deploy', name: 'deploy-1', needs: ['shard'], matrix: { REGION: ['eu', 'us'] } },
          { job: 'deploy', name: 'deploy-2', needs: ['shard'], matrix: { REGION: ['ap'], SIZE: ['2'] } },
        ],
      },
    ]);
    expect(notMapped).toEqual([
      'include: included files are not fetched: their jobs and templates are missing',
      'deploy.extends: .missing is not in this file (include is not followed)',
      'deploy.parallel.matrix: 2 variable sets become 2 entries',
      'deploy.needs: other-project-job is not in this file (include is not followed), dropped',
    ]);
  });

  it('maps runner tags to Fluxi tags and image entrypoint and pull_policy to docker options', () => {
    const { sections, notMapped } = convertGitlabCi(
      `default:
  image: { name: "python:3.12", entrypoint: [""], docker: { user: ci } }
  tags: [docker]
train:
  image: { name: "cuda:12", entrypoint: ["/bin/bash", "-c"], pull_policy: [always, if-not-present] }
  tags: [GPU_Large, docker, "$RUNNER_TAG", "linux x86"]
  script: ./train.sh
lint:
  script: ruff check
`,
      'p',
    );
    expect(sections.jobs.get('train')).toEqual({
      command: './train.sh',
      image: 'cuda:12',
      tags: ['gpu-large', 'docker', 'linux-x86'],
      docker: { entrypoint: ['/bin/bash', '-c'], pullPolicy: 'always' },
    });
    // entrypoint [""] drops the image's entrypoint, which is what Fluxi does by default.
    expect(sections.jobs.get('lint')).toEqual({ command: 'ruff check', image: 'python:3.12', tags: ['docker'] });
    expect(notMapped).toEqual([
      'default.image: docker not mapped',
      'train.tags: GPU_Large renamed gpu-large (Fluxi tags use lowercase letters, digits and -)',
      'train.tags: $RUNNER_TAG refers to variables, left out',
      'train.tags: linux x86 renamed linux-x86 (Fluxi tags use lowercase letters, digits and -)',
      'train.image.pull_policy: several policies: Fluxi uses the first, always',
    ]);
    const yaml = stringifySections(convertGitlabCi(fixture('node-project.gitlab-ci.yml'), 'ci').sections);
    expect(readDefinitions(yaml, { jobs: new Set(), pipelines: new Set() }).ok).toBe(true);
  });

  it('refuses a file that is not YAML or has no job to convert', () => {
    expect(() => convertGitlabCi('a: [', 'p')).toThrow(/not valid YAML/);
    expect(() => convertGitlabCi('stages: [build]\n', 'p')).toThrow(/no job with a script/);
  });
});

describe('parseDuration', () => {
  it('reads GitLab durations', () => {
    expect(parseDuration('1h 30m')).toBe(5400);
    expect(parseDuration('3 hours')).toBe(10_800);
    expect(parseDuration('2 hours and 10 minutes')).toBe(7800);
    expect(parseDuration('90 minutes')).toBe(5400);
    expect(parseDuration('1d')).toBe(86_400);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1:30:00')).toBe(5400);
    expect(parseDuration('3600')).toBe(3600);
    expect(parseDuration(45)).toBe(45);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('10 fortnights')).toBeUndefined();
  });
});
