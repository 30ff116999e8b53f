import { describe, expect, it } from 'vitest';
import { parseDefinitions } from './parse.js';
import { formatProblem } from './problems.js';

const problems = (text: string) => parseDefinitions(text).problems.map((p) => formatProblem(p));

describe('parseDefinitions', () => {
  it('reads a valid file, anchors and merge keys included', () => {
    const parsed = parseDefinitions(`version: 1
jobs:
  build: &base
    command: make
    env: { CI: "true" }
  test:
    <<: *base
    command: make test
pipelines:
  ci:
    stages:
      - name: all
        jobs: [{ job: build }, { job: test, needs: [build] }]
`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.file?.jobs?.['test']).toEqual({ command: 'make test', env: { CI: 'true' } });
  });

  it('reports wrong types, unknown keys and missing keys with line, column and field', () => {
    expect(
      problems(`version: 1
jobs:
  build:
    command: make
    timeoutSec: ten
    colour: red
  test:
    command: [make, test]
    env: { N: 1 }
    maxAttempts: 1.5
pipelines:
  ci:
    stages:
      - name: s
        jobs:
          - job: build
            when: sometimes
          - { needs: [build] }
`),
    ).toEqual([
      'fluxi.yaml:5:17 jobs.build.timeoutSec: expected a number, got the string "ten"',
      'fluxi.yaml:6:5 jobs.build.colour: unknown key "colour"',
      'fluxi.yaml:8:14 jobs.test.command: expected a string, got a list',
      'fluxi.yaml:9:15 jobs.test.env.N: environment values are strings: quote numbers and booleans',
      'fluxi.yaml:10:18 jobs.test.maxAttempts: expected a whole number, got the number 1.5',
      'fluxi.yaml:17:19 pipelines.ci.stages[0].jobs[0].when: the string "sometimes" is not one of on_success, on_failure, always, manual',
      'fluxi.yaml:18:13 pipelines.ci.stages[0].jobs[1].job: job is required',
    ]);
  });

  it('reports YAML syntax errors, duplicate keys, a wrong version and an empty file', () => {
    expect(problems('version: 1\njobs:\n  build:\n    command: make\n   oops: 1\n')).toEqual([
      'fluxi.yaml:5:1: All mapping items must start at the same column',
    ]);
    expect(problems('version: 1\njobs:\n  a: { command: x }\n  a: { command: y }\n')).toEqual([
      'fluxi.yaml:4:3: Map keys must be unique',
    ]);
    expect(problems('version: 2\n')).toEqual(['fluxi.yaml:1:10 version: version must be 1']);
    expect(problems('jobs: {}\n')).toEqual(['fluxi.yaml:1:1 version: version must be 1']);
    expect(problems('')).toEqual(['fluxi.yaml: the file is empty: start it with "version: 1"']);
    expect(problems('- a\n')).toEqual(['fluxi.yaml:1:1: expected a mapping, got a list']);
  });

  it('quotes keys that are not plain in field paths', () => {
    expect(problems('version: 1\njobs:\n  "a.b": { command: 1 }\n')).toEqual([
      'fluxi.yaml:3:21 jobs["a.b"].command: expected a string, got number 1',
    ]);
  });
});
