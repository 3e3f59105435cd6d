import type { Knex } from 'knex';
import { errors } from '../errors';

export type Queryable = Knex | Knex.Transaction;

/** Names a query, so a slow or failing one can be told apart in the logs. */
export function named<T extends { queryContext(ctx: unknown): T }>(name: string, builder: T): T {
  return builder.queryContext({ query: name });
}

export function toBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === 'string' && v.startsWith('\\x')) return Buffer.from(v.slice(2), 'hex');
  throw new Error('expected bytea');
}

export function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

export function toDateOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : toDate(v);
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}

/** Translates database errors at the repository boundary. */
export async function translate<T>(run: () => Promise<T>, onUnique: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.alreadyExists(onUnique);
    throw err;
  }
}

// Cursors: base64url of the last row's `seq` (keyset pagination).
export function encodeCursor(seq: string | number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^s(\d{1,18})$/.exec(text);
  if (!m || Buffer.from(text).toString('base64url') !== cursor) throw errors.invalidCursor();
  return m[1];
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Fetches `limit + 1` rows to know whether there is a next page. */
export function toPage<R extends { seq: string | number }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  return { data: pageRows.map(map), next_cursor: more ? encodeCursor(pageRows[pageRows.length - 1]!.seq) : null };
}
