import type { Principal } from '../auth/principal';
import { newId } from '../ids';
import { auditEventsRepo, type AuditAction, type AuditEventRow } from '../repositories/audit-events';
import { decodeCursor, type Queryable } from '../repositories/common';
import type { Caller, ServiceContext } from './context';

/** Records one audit event; call it inside the transaction of the change it describes. */
export async function recordAudit(
  db: Queryable,
  event: {
    organizationId: string;
    actor: Principal | null;
    action: AuditAction;
    entity: { type: AuditEventRow['entity_type']; id: string };
    changes?: Record<string, unknown> | null;
    requestId: string | null;
  },
): Promise<void> {
  await auditEventsRepo.insert(db, {
    id: newId('auditEvent'),
    organization_id: event.organizationId,
    action: event.action,
    actor_type: event.actor?.type ?? null,
    actor_id: event.actor?.id ?? null,
    entity_type: event.entity.type,
    entity_id: event.entity.id,
    changes: event.changes ?? null,
    request_id: event.requestId,
  });
}

export function serializeAuditEvent(e: AuditEventRow) {
  return {
    id: e.id,
    occurred_at: e.occurred_at.toISOString(),
    action: e.action,
    actor: e.actor_type && e.actor_id ? { type: e.actor_type, id: e.actor_id } : null,
    entity: { type: e.entity_type, id: e.entity_id },
    changes: e.changes,
    request_id: e.request_id,
  };
}

/** The organization's audit trail, newest first (admins only; checked by the route). */
export function auditService(ctx: ServiceContext) {
  return {
    async list(caller: Caller, q: { per_page: number; after_cursor?: string; action?: string; actor_id?: string; entity_id?: string }) {
      const page = await auditEventsRepo.list(ctx.db, caller.principal.organizationId, {
        beforeSeq: decodeCursor(q.after_cursor),
        limit: q.per_page,
        action: q.action,
        actorId: q.actor_id,
        entityId: q.entity_id,
      });
      return { data: page.data.map(serializeAuditEvent), next_cursor: page.next_cursor };
    },
  };
}

export type AuditService = ReturnType<typeof auditService>;
