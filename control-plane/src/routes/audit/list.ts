import { caller, perPage, str, type Route } from '../route';

export const listAuditEvents: Route = {
  method: 'get',
  path: '/v1/audit_events',
  access: { kind: 'admin' },
  async handle(req, res, s) {
    const q = req.query as Record<string, unknown>;
    res.json(
      await s.audit.list(caller(req), {
        per_page: perPage(q),
        after_cursor: str(q.after_cursor),
        action: str(q.action),
        actor_id: str(q.actor_id),
        entity_id: str(q.entity_id),
      }),
    );
  },
};
