import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import type { Config } from './config';
import type { Logger } from './logger';

// PostgreSQL through `pg` with DATABASE_URL; otherwise the embedded PostgreSQL (PGlite) in the
// data directory. Same migrations on both.

export type Db = Knex;

export function createDb(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolMax'>): Db {
  if (config.databaseUrl) {
    return knex({
      client: 'pg',
      connection: config.databaseUrl,
      pool: { min: 0, max: config.databasePoolMax },
      acquireConnectionTimeout: 10_000,
    });
  }
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const release = lockDataDir(config.dataDir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ClientPgLite = require('knex-pglite');
  const db = knex({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: { connectionString: path.join(config.dataDir, 'pgdata') },
  });
  // Release the lock when the database is closed (knex defines destroy read-only, hence the client hook).
  const client = db.client as { destroy: (cb?: unknown) => Promise<unknown> };
  const destroy = client.destroy.bind(client);
  client.destroy = async (cb?: unknown) => {
    try {
      return await destroy(cb);
    } finally {
      release();
    }
  };
  return db;
}

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `the embedded database in ${dir} is in use by process ${pid}. Only one process may open it: stop that process first ` +
        '(for `keyplane bootstrap`, stop the server), or run every process on one PostgreSQL with DATABASE_URL.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is a single-process database: two processes on one data directory each see their own
 * copy and overwrite each other's writes. A lock file with the owner's PID refuses the second
 * opener; a lock left by a process that died is taken over. Returns the release function.
 */
function lockDataDir(dir: string): () => void {
  const lockFile = path.join(dir, 'keyplane.lock');
  const me = String(process.pid);
  const tryLock = () => {
    try {
      fs.writeFileSync(lockFile, me, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return false;
    }
  };
  if (!tryLock()) {
    const owner = Number(fs.readFileSync(lockFile, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw new DataDirLockedError(dir, owner);
    fs.rmSync(lockFile, { force: true });
    if (!tryLock()) throw new DataDirLockedError(dir, Number(fs.readFileSync(lockFile, 'utf8').trim()));
  }
  const release = () => {
    try {
      if (fs.readFileSync(lockFile, 'utf8').trim() === me) fs.rmSync(lockFile, { force: true });
    } catch {
      // already gone
    }
    process.removeListener('exit', release);
  };
  process.on('exit', release);
  return release;
}

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');
const MIGRATION_FILE = /^(\d{4}_[a-z0-9_]+)\.(ts|js)$/;

interface Migration {
  up(db: Knex): Promise<void>;
  down?(db: Knex): Promise<void>;
}

/** Migration files `NNNN_what_it_does.{ts,js}`, named without extension so the sources and the build agree. */
export class MigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir = MIGRATIONS_DIR) {}
  async getMigrations(): Promise<string[]> {
    const names = new Set<string>();
    for (const f of fs.readdirSync(this.dir)) {
      const m = MIGRATION_FILE.exec(f);
      if (m && !f.endsWith('.d.ts')) names.add(m[1]!);
    }
    return [...names].sort();
  }
  getMigrationName(name: string): string {
    return name;
  }
  async getMigration(name: string): Promise<Knex.Migration> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(this.dir, name)) as Migration;
    return { up: mod.up, down: mod.down ?? (async () => { throw new Error(`migration ${name} cannot be reverted`); }) };
  }
}

const MIGRATION_LOCK = 0x6b657970; // 'keyp': one migrating process at a time on a shared PostgreSQL.

/** Applies pending migrations; safe to call from many processes at once. Returns the names applied. */
export async function migrate(db: Db): Promise<string[]> {
  const run = async () => {
    const [, applied] = (await db.migrate.latest({ migrationSource: new MigrationSource(), tableName: 'knex_migrations' })) as [number, string[]];
    return applied;
  };
  if (isPglite(db)) return run();
  const conn = await db.client.acquireConnection();
  try {
    await db.raw('select pg_advisory_lock(?)', [MIGRATION_LOCK]).connection(conn);
    return await run();
  } finally {
    await db.raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK]).connection(conn).catch(() => undefined);
    await db.client.releaseConnection(conn);
  }
}

interface QueryEvent {
  __knexQueryUid?: string;
  queryContext?: { query?: string };
}

/** Logs slow and failing queries by name (never their bindings, which may hold hashes of secrets). */
export function instrument(db: Db, logger: Logger, slowMs = 250): void {
  const started = new Map<string, bigint>();
  const name = (q: QueryEvent) => q.queryContext?.query ?? 'unnamed';
  db.on('query', (q: QueryEvent) => {
    if (q.__knexQueryUid) started.set(q.__knexQueryUid, process.hrtime.bigint());
  });
  db.on('query-response', (_r: unknown, q: QueryEvent) => {
    const t0 = q.__knexQueryUid ? started.get(q.__knexQueryUid) : undefined;
    if (q.__knexQueryUid) started.delete(q.__knexQueryUid);
    if (t0 === undefined) return;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= slowMs) logger.warn('slow query', { query: name(q), duration_ms: Math.round(ms) });
  });
  db.on('query-error', (err: { code?: string; message?: string }, q: QueryEvent) => {
    if (q.__knexQueryUid) started.delete(q.__knexQueryUid);
    logger.debug('query failed', { query: name(q), code: err.code });
  });
}

export function isPglite(db: Db): boolean {
  return db.client.config.client !== 'pg';
}

export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}
