import type { Knex } from 'knex';

// The request log is the one high-volume, append-only table: its foreign keys cost a lookup per
// inserted row (on the embedded database they made up about 40% of a batch write). Keys and
// organizations are never deleted (archiving keeps them), and entries are only written for keys
// that were just found, so the references cannot dangle.
const statements = [
  `alter table request_logs drop constraint request_logs_organization_id_fkey`,
  `alter table request_logs drop constraint request_logs_api_key_id_fkey`,
];

export async function up(db: Knex): Promise<void> {
  for (const sql of statements) await db.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('0002_request_logs_without_foreign_keys cannot be reverted');
}
