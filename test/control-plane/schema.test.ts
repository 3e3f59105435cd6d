// Fails when the database schema changes without a migration, and when a committed migration is
// edited (migrations are append-only). After adding a migration on purpose, refresh the snapshot:
//   UPDATE_SCHEMA_SNAPSHOT=1 npx jest test/control-plane/schema.test.ts
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR, MigrationSource } from '../../control-plane/src/db';
import { startServer, type TestServer } from './helpers';

const SNAPSHOT = path.join(__dirname, 'schema.snapshot.json');

interface Snapshot {
  migrations: { name: string; sha256: string }[];
  schema: Record<string, unknown>;
}

async function dumpSchema(t: TestServer): Promise<Record<string, unknown>> {
  const db = t.keyplane.db;
  const rows = async (sql: string) => (await db.raw(sql)).rows as Record<string, unknown>[];
  const columns = await rows(`
    select table_name, column_name, udt_name, is_nullable, column_default
    from information_schema.columns where table_schema = 'public' and table_name not like 'knex_%'
    order by table_name, column_name`);
  const indexes = await rows(`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' and tablename not like 'knex_%' order by tablename, indexname`);
  // Not-null constraints (listed here by PostgreSQL 18 and PGlite, not by 15) are in `columns` already.
  const constraints = await rows(`
    select c.conrelid::regclass::text as table_name, c.conname, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname = 'public' and c.contype <> 'n' and c.conrelid::regclass::text not like 'knex_%'
    order by 1, 2`);
  const triggers = await rows(`select event_object_table, trigger_name, event_manipulation, action_timing from information_schema.triggers where trigger_schema = 'public' order by 1, 2, 3`);
  const functions = await rows(`select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' order by 1`);
  const tables: Record<string, unknown> = {};
  for (const c of columns) {
    const table = (tables[String(c.table_name)] ??= { columns: {}, indexes: {}, constraints: {}, triggers: [] }) as any;
    table.columns[String(c.column_name)] = `${c.udt_name}${c.is_nullable === 'NO' ? ' not null' : ''}${c.column_default ? ` default ${c.column_default}` : ''}`;
  }
  for (const i of indexes) (tables[String(i.tablename)] as any).indexes[String(i.indexname)] = String(i.indexdef).replace(/ public\./g, ' ');
  for (const c of constraints) (tables[String(c.table_name)] as any).constraints[String(c.conname)] = c.definition;
  for (const tr of triggers) (tables[String(tr.event_object_table)] as any).triggers.push(`${tr.trigger_name} ${tr.action_timing} ${tr.event_manipulation}`);
  return { tables, functions: functions.map((f) => f.proname) };
}

async function migrationHashes(): Promise<Snapshot['migrations']> {
  const names = await new MigrationSource().getMigrations();
  return names.map((name) => {
    const file = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.startsWith(name + '.'))!;
    return { name, sha256: createHash('sha256').update(fs.readFileSync(path.join(MIGRATIONS_DIR, file))).digest('hex') };
  });
}

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

test('migrations are numbered NNNN_what_it_does and applied in order', async () => {
  const files = fs.readdirSync(MIGRATIONS_DIR);
  for (const f of files) expect(f).toMatch(/^\d{4}_[a-z0-9_]+\.ts$/);
  const names = await new MigrationSource().getMigrations();
  names.forEach((n, i) => expect(n.slice(0, 4)).toBe(String(i + 1).padStart(4, '0')));
  const applied = (await t.keyplane.db('knex_migrations').select('name').orderBy('id')).map((r: { name: string }) => r.name);
  expect(applied).toEqual(names);
});

test('the schema matches the committed snapshot, and committed migrations are unchanged', async () => {
  const current: Snapshot = { migrations: await migrationHashes(), schema: await dumpSchema(t) };
  if (process.env.UPDATE_SCHEMA_SNAPSHOT) {
    fs.writeFileSync(SNAPSHOT, JSON.stringify(current, null, 2) + '\n');
    return;
  }
  const committed = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as Snapshot;
  for (const m of committed.migrations) {
    const now = current.migrations.find((x) => x.name === m.name);
    if (!now) throw new Error(`migration ${m.name} was removed; migrations are append-only`);
    if (now.sha256 !== m.sha256) throw new Error(`migration ${m.name} was edited; migrations are append-only: revert it and add a new migration instead`);
  }
  const sameMigrations = JSON.stringify(committed.migrations) === JSON.stringify(current.migrations);
  const sameSchema = JSON.stringify(committed.schema) === JSON.stringify(current.schema);
  if (!sameSchema && sameMigrations) {
    throw new Error('the database schema changed without a migration: add control-plane/migrations/NNNN_*.ts, then UPDATE_SCHEMA_SNAPSHOT=1 npx jest test/control-plane/schema.test.ts');
  }
  if (!sameMigrations) {
    throw new Error('new migrations are not in the schema snapshot: run UPDATE_SCHEMA_SNAPSHOT=1 npx jest test/control-plane/schema.test.ts and commit schema.snapshot.json');
  }
  expect(current.schema).toEqual(committed.schema);
});
