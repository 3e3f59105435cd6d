import { caller, perPage, str, type Route } from '../route';

export const listUsers: Route = {
  method: 'get',
  path: '/v1/users',
  access: { kind: 'admin' },
  async handle(req, res, s) {
    const q = req.query as Record<string, unknown>;
    res.json(await s.users.list(caller(req), { per_page: perPage(q), after_cursor: str(q.after_cursor) }));
  },
};
