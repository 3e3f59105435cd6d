import { caller, perPage, str, type Route } from '../route';

export const listApiKeyRequestLogs: Route = {
  method: 'get',
  path: '/v1/api_keys/:id/request_logs',
  access: { kind: 'permission', resource: 'api_keys', action: 'read' },
  async handle(req, res, s) {
    const q = req.query as Record<string, unknown>;
    res.json(
      await s.apiKeys.requestLogs(caller(req), String(req.params.id), {
        per_page: perPage(q),
        after_cursor: str(q.after_cursor),
        status: q.status === undefined ? undefined : Number(q.status),
        method: str(q.method),
        source: str(q.source),
        since: str(q.since),
        until: str(q.until),
      }),
    );
  },
};
