import { caller, perPage, str, type Route } from '../route';

export const listApiKeyAuditEvents: Route = {
  method: 'get',
  path: '/v1/api_keys/:id/audit_events',
  access: { kind: 'admin' },
  async handle(req, res, s) {
    const q = req.query as Record<string, unknown>;
    res.json(await s.apiKeys.auditEvents(caller(req), String(req.params.id), { per_page: perPage(q), after_cursor: str(q.after_cursor) }));
  },
};
