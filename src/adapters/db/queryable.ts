/** The one type every SQL module shares: a leaf, so pool.ts and the SQL modules never import each other for it. */
import type pg from 'pg';

/**
 * Anything that runs a query: a `pg.Pool`, a `pg.PoolClient` or a `pg.Client`.
 * SQL modules take this, so callers choose between autocommit and a
 * transaction without the SQL module knowing.
 */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}
