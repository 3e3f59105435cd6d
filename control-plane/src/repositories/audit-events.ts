import { named, toDate, toPage, type Page, type Queryable } from './common';

export type AuditAction =
  | 'organization.created'
  | 'user.created'
  | 'user.updated'
  | 'user_token.created'
  | 'api_key.created'
  | 'api_key.renamed'
  | 'api_key.allowed_ips_changed'
  | 'api_key.archived'
  | 'api_key.archive_scheduled'
  | 'api_key.secret_revealed';

export interface AuditEventRow {
  id: string;
  seq: string;
  organization_id: string;
  occurred_at: Date;
  action: AuditAction;
  actor_type: 'user' | 'api_key' | null;
  actor_id: string | null;
  entity_type: 'organization' | 'user' | 'user_token' | 'api_key';
  entity_id: string;
  changes: Record<string, unknown> | null;
  request_id: string | null;
}

function map(r: Record<string, unknown>): AuditEventRow {
  return { ...(r as unknown as AuditEventRow), seq: String(r.seq), occurred_at: toDate(r.occurred_at) };
}

// Append-only: there is no update or delete here (and a trigger refuses them in the database).
export const auditEventsRepo = {
  async insert(db: Queryable, row: Omit<AuditEventRow, 'seq' | 'occurred_at'>): Promise<void> {
    await named('audit_events.insert', db('audit_events').insert({ ...row, changes: row.changes === null ? null : JSON.stringify(row.changes) }));
  },
  async list(
    db: Queryable,
    organizationId: string,
    opts: { beforeSeq?: string; limit: number; action?: string; actorId?: string; entityId?: string; involving?: string },
  ): Promise<Page<AuditEventRow>> {
    const q = db('audit_events').where({ organization_id: organizationId }).orderBy('seq', 'desc').limit(opts.limit + 1);
    if (opts.beforeSeq) q.where('seq', '<', opts.beforeSeq);
    if (opts.action) q.where('action', opts.action);
    if (opts.actorId) q.where('actor_id', opts.actorId);
    if (opts.entityId) q.where('entity_id', opts.entityId);
    if (opts.involving) q.where((w) => w.where('entity_id', opts.involving!).orWhere('actor_id', opts.involving!));
    return toPage((await named('audit_events.list', q)).map(map), opts.limit, (r) => r);
  },
};
