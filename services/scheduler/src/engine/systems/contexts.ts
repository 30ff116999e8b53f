import { FluxiError, notFound } from '@fluxi/common';
import type { ContextRecord } from '../../store/context-records.js';
import type { EngineResources } from '../resources.js';

const CONTEXT_ID = /^C[JP][0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Contexts: the latest standard output of each job (CJ…) and pipeline (CP…), and the
 * resolution of `$$(name)` when a job starts.
 */
export class ContextSystem {
  constructor(private readonly resources: EngineResources) {}

  /**
   * The value of each name for a job run of `runId`, looked up in this order: a job run
   * of the same run that ran (by name or entry), a context id, the latest context of a
   * job or pipeline of that name. A name that is an entry of the run but has no output
   * anywhere yet resolves to "" (empty until its first run). Throws NOT_FOUND naming
   * the first name that is none of these.
   */
  async resolve(runId: string, names: readonly string[]): Promise<Map<string, string>> {
    const { store } = this.resources;
    const outputs = await store.outputsOf(runId);
    const values = new Map<string, string>();
    for (const name of names) {
      const inRun = outputs.filter((row) => row.name === name || row.entry === name);
      const ran = inRun.find((row) => row.output !== null && (row.status === 'SUCCESS' || row.status === 'FAILED'));
      if (ran !== undefined) {
        values.set(name, ran.output ?? '');
        continue;
      }
      const context = await this.find(name);
      if (context !== undefined) values.set(name, context.value);
      else if (inRun.length > 0) values.set(name, '');
      else {
        throw new FluxiError(
          'NOT_FOUND',
          `context "${name}" does not exist: no job, pipeline or context id of that name has run yet`,
          { field: name },
        );
      }
    }
    return values;
  }

  /** A context by id (CJ…/CP…) or by job or pipeline name. */
  async find(nameOrId: string): Promise<ContextRecord | undefined> {
    if (CONTEXT_ID.test(nameOrId)) {
      const byId = await this.resources.store.getContext(nameOrId);
      if (byId !== undefined) return byId;
    }
    return this.resources.store.contextByName(nameOrId);
  }

  list(): Promise<ContextRecord[]> {
    return this.resources.store.listContexts();
  }

  /** Empties a context, as before its first run. */
  async reset(nameOrId: string): Promise<ContextRecord> {
    const context = await this.find(nameOrId);
    if (context === undefined) throw notFound('context', nameOrId);
    const reset = await this.resources.store.transaction((tx) => tx.contexts.reset(context.id, this.resources.now()));
    if (reset === undefined) throw notFound('context', nameOrId);
    this.resources.logger.info({ contextId: context.id, name: context.name }, 'context reset');
    return reset;
  }
}

/** A note for a context whose output was cut at the size cap. */
export function contextNote(context: Pick<ContextRecord, 'truncated' | 'value' | 'sizeBytes'>): string | null {
  if (!context.truncated) return null;
  const kept = Buffer.byteLength(context.value);
  return `cut at ${kept} of ${context.sizeBytes} bytes (contexts.maxBytes): only the beginning of the output was kept`;
}
