import { perPage, str, type Route } from '../route';
import { caller } from '../route';

export const listApiKeys: Route = {
  method: 'get',
  path: '/v1/api_keys',
  access: { kind: 'permission', resource: 'api_keys', action: 'read' },
  async handle(req, res, s) {
    const q = req.query as Record<string, unknown>;
    res.json(
      await s.apiKeys.list(caller(req), {
        per_page: perPage(q),
        after_cursor: str(q.after_cursor),
        include_archived: q.include_archived === true || q.include_archived === 'true',
        name: str(q.name),
      }),
    );
  },
};
