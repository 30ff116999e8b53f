import { Document, isScalar, visit } from 'yaml';
import { canonicalJob, canonicalPipeline, canonicalSchedule } from './canonical.js';
import { sortedNames, type NamedDefinitions } from './definitions.js';
import type { FileJob, FilePipeline, FileSchedule } from './schema.js';

/** A file's sections as ordered maps (JavaScript objects would put names like "10" first). */
export interface FileSections {
  jobs: ReadonlyMap<string, FileJob>;
  pipelines: ReadonlyMap<string, FilePipeline>;
  schedules: ReadonlyMap<string, FileSchedule>;
}

/** The definitions in their written form, each section sorted by name. */
export function canonicalSections(definitions: NamedDefinitions): FileSections {
  const section = <D, F>(byName: ReadonlyMap<string, D>, write: (definition: D) => F): Map<string, F> =>
    new Map(sortedNames(byName.keys()).map((name) => [name, write(byName.get(name) as D)]));
  return {
    jobs: section(definitions.jobs, canonicalJob),
    pipelines: section(definitions.pipelines, canonicalPipeline),
    schedules: section(definitions.schedules, canonicalSchedule),
  };
}

/**
 * Writes a `fluxi.yaml`: `version: 1`, then the non-empty sections in the order given.
 * Lists of plain values are written inline (`needs: [build, lint]`); long text is never folded.
 * The same sections always give the same bytes.
 */
export function stringifySections(sections: FileSections, header?: string): string {
  const content = new Map<string, unknown>([['version', 1]]);
  if (sections.jobs.size > 0) content.set('jobs', sections.jobs);
  if (sections.pipelines.size > 0) content.set('pipelines', sections.pipelines);
  if (sections.schedules.size > 0) content.set('schedules', sections.schedules);
  const doc = new Document(content);
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  if (header !== undefined) doc.commentBefore = header;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** `fluxi.yaml` text of the catalog's definitions. */
export function definitionsToYaml(definitions: NamedDefinitions): string {
  return stringifySections(canonicalSections(definitions));
}
