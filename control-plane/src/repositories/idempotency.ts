import { named, type Queryable } from './common';

export interface IdempotencyRow {
  organization_id: string;
  principal_id: string;
  key: string;
  request_hash: string;
  api_key_id: string | null;
}

const TTL = `interval '24 hours'`;

export const idempotencyRepo = {
  /**
   * Claims the idempotency key inside the create transaction. On PostgreSQL a concurrent twin blocks
   * here until the first transaction ends; then it sees the conflict. True when this call claimed it.
   */
  async claim(db: Queryable, row: Omit<IdempotencyRow, 'api_key_id'>): Promise<boolean> {
    await named(
      'idempotency_keys.delete_expired_one',
      db('idempotency_keys')
        .where({ organization_id: row.organization_id, principal_id: row.principal_id, key: row.key })
        .where('created_at', '<', db.raw(`now() - ${TTL}`))
        .delete(),
    );
    const inserted = await named(
      'idempotency_keys.claim',
      db('idempotency_keys').insert(row).onConflict(['organization_id', 'principal_id', 'key']).ignore().returning('key'),
    );
    return inserted.length === 1;
  },
  async find(db: Queryable, organizationId: string, principalId: string, key: string): Promise<IdempotencyRow | undefined> {
    return named(
      'idempotency_keys.find',
      db('idempotency_keys').where({ organization_id: organizationId, principal_id: principalId, key }).where('created_at', '>=', db.raw(`now() - ${TTL}`)).first(),
    );
  },
  async attach(db: Queryable, row: Omit<IdempotencyRow, 'request_hash'> & { api_key_id: string }): Promise<void> {
    await named(
      'idempotency_keys.attach',
      db('idempotency_keys').where({ organization_id: row.organization_id, principal_id: row.principal_id, key: row.key }).update({ api_key_id: row.api_key_id }),
    );
  },
  async prune(db: Queryable, organizationId: string): Promise<void> {
    await named('idempotency_keys.prune', db('idempotency_keys').where({ organization_id: organizationId }).where('created_at', '<', db.raw(`now() - ${TTL}`)).delete());
  },
};
