import { parse, protocol, type PGlite } from '@electric-sql/pglite';

/** A statement the session holds parsed: its server-side name and its parameters' types. */
interface Prepared {
  readonly name: string;
  readonly paramTypes: readonly number[];
}

/** How many statements one PGlite session keeps prepared; the least recently used beyond are closed. */
export const DEFAULT_MAX_PREPARED = 256;

/** PostgreSQL's answer when a prepared SELECT's columns changed under it (a migration): prepare it again. */
const RESULT_TYPE_CHANGED = 'cached plan must not change result type';
/** SQLSTATE of a statement sent in a transaction an error aborted. */
const IN_FAILED_TRANSACTION = '25P02';

const { serialize } = protocol;

/** Statement names, unique in this process (so also within any one session). */
let named = 0;

/**
 * Runs statements on a PGlite session as named prepared statements: each SQL text (per
 * schema) is parsed and described once, then every run is one Bind/Describe/Execute/Sync
 * exchange. PGlite's own `query` parses, describes and plans the text again on every call
 * in six exchanges; here a primary-key read costs about a third of that (0.34 → 0.12 ms),
 * a job runs read 0.92 → 0.58 ms. Parameters and rows go through the session's own
 * serializers and parsers, so callers get exactly what `query` gives.
 *
 * Not safe for concurrent use: the caller runs one statement (or transaction) at a time.
 */
export class PreparedStatements {
  /** By schema and text, least recently used first (a Map keeps insertion order). */
  private readonly statements = new Map<string, Prepared>();
  /** Names evicted and not closed yet: closed with the next exchange. */
  private closing: string[] = [];

  constructor(
    private readonly pglite: PGlite,
    private readonly max = DEFAULT_MAX_PREPARED,
  ) {}

  /** Runs `sql` with `params` in the session's current transaction (or its own) and returns the rows. */
  async query<T>(schema: string, sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const key = `${schema}\u0000${sql}`;
    try {
      return await this.run<T>(key, sql, params);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes(RESULT_TYPE_CHANGED)) throw error;
      this.forget(key);
      // Inside a transaction the error aborted it: the retry cannot run, the first error is the one to see.
      return this.run<T>(key, sql, params).catch((again: unknown) => {
        throw (again as { code?: unknown }).code === IN_FAILED_TRANSACTION ? error : again;
      });
    }
  }

  private async run<T>(key: string, sql: string, params: readonly unknown[]): Promise<T[]> {
    const statement = await this.prepare(key, sql);
    const values = params.map((value, index) => this.serialized(value, statement.paramTypes[index]));
    const { messages } = await this.pglite.execProtocol(
      join([
        serialize.bind({ statement: statement.name, values }),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
        serialize.sync(),
      ]),
    );
    return (parse.parseResults(messages, this.pglite.parsers)[0]?.rows ?? []) as T[];
  }

  /** The prepared statement of `key`, parsed and described on its first use. */
  private async prepare(key: string, sql: string): Promise<Prepared> {
    const known = this.statements.get(key);
    if (known !== undefined) {
      // Most recently used now.
      this.statements.delete(key);
      this.statements.set(key, known);
      return known;
    }
    const name = `fluxi_${++named}`;
    const closes = this.closing.map((closed) => serialize.close({ type: 'S', name: closed }));
    this.closing = [];
    const { messages } = await this.pglite.execProtocol(
      join([
        ...closes,
        serialize.parse({ name, text: sql }),
        serialize.describe({ type: 'S', name }),
        serialize.sync(),
      ]),
    );
    const description = messages.find((message) => message.name === 'parameterDescription') as
      { dataTypeIDs: number[] } | undefined;
    const prepared: Prepared = { name, paramTypes: description?.dataTypeIDs ?? [] };
    this.statements.set(key, prepared);
    for (const [oldest] of this.statements) {
      if (this.statements.size <= this.max) break;
      this.forget(oldest);
    }
    return prepared;
  }

  private forget(key: string): void {
    const statement = this.statements.get(key);
    if (statement === undefined) return;
    this.statements.delete(key);
    this.closing.push(statement.name);
  }

  /** A parameter as PGlite's `query` sends it: by its type's serializer, else as text. */
  private serialized(value: unknown, type: number | undefined): string | null {
    if (value === null || value === undefined) return null;
    const serializer = type === undefined ? undefined : this.pglite.serializers[type];
    return serializer === undefined ? String(value) : (serializer(value) as string);
  }
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
