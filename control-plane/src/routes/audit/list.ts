import { decodeCursor } from '../../repositories/common';
import { auditEventsRepo } from '../../repositories/audit-events';
import { serializeAuditEvent } from '../../services/audit';
import { caller, perPage, str, type Route } from '../route';

export const listAuditEvents: Route = {
  method: 'get',
  path: '/v1/audit_events',
  access: { kind: 'admin' },
  async handle(req, res, s) {
    const q = req.query as Record<string, unknown>;
    const page = await auditEventsRepo.list(s.ctx.db, caller(req).principal.organizationId, {
      beforeSeq: decodeCursor(str(q.after_cursor)),
      limit: perPage(q),
      action: str(q.action),
      actorId: str(q.actor_id),
      entityId: str(q.entity_id),
    });
    res.json({ data: page.data.map(serializeAuditEvent), next_cursor: page.next_cursor });
  },
};
