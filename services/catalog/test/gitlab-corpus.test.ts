import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDefinitions } from '../src/domain/as-code/check.js';
import { convertGitlabCi } from '../src/domain/as-code/gitlab/convert.js';
import { stringifySections } from '../src/domain/as-code/to-yaml.js';
import { CORPUS } from './gitlab-corpus/expectations.js';

const folder = new URL('./gitlab-corpus/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, folder), 'utf8');

/** Each corpus file converts (or is refused) as its expectation says; a converted file is a valid fluxi.yaml. */
describe('the GitLab CI corpus: verdicts of the conversion', () => {
  it('has an expectation for every file', () => {
    const files = readdirSync(folder).filter((name) => name.endsWith('.yml'));
    expect(CORPUS.map((c) => c.file).sort()).toEqual(files.sort());
  });

  it.each(CORPUS)('$file is $verdict', ({ file, verdict, message, notes, stages }) => {
    if (verdict === 'refused') {
      expect(() => convertGitlabCi(read(file), 'corpus')).toThrow(message);
      return;
    }
    const converted = convertGitlabCi(read(file), 'corpus');
    for (const note of notes ?? []) expect(converted.notMapped.join('\n')).toContain(note);
    const yaml = stringifySections(converted.sections);
    const checked = readDefinitions(yaml, { jobs: new Set(), pipelines: new Set() });
    expect(checked.ok ? [] : checked.problems).toEqual([]);
    if (stages !== undefined) {
      const pipeline = converted.sections.pipelines.get('corpus');
      const actual = Object.fromEntries(
        (pipeline?.stages ?? []).map((stage) => [stage.name, stage.jobs.map((entry) => entry.name ?? entry.job)]),
      );
      expect(actual).toEqual(stages);
    }
  });
});
