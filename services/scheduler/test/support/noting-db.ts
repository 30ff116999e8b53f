import type { Database, SqlExecutor } from '@fluxi/db';

/** The same database, every statement of its transactions noted in `statements` (whitespace folded). */
export function notingDatabase(db: Database, statements: string[]): Database {
  return {
    ...db,
    query: (sql, params) => db.query(sql, params),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: (sql, params) => {
            statements.push(sql.replace(/\s+/g, ' ').trim());
            return tx.query(sql, params);
          },
        } as SqlExecutor),
      ),
  };
}
