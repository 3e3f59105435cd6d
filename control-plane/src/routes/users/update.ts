import { caller, type Route } from '../route';

export const updateUser: Route = {
  method: 'patch',
  path: '/v1/users/:id',
  access: { kind: 'admin' },
  async handle(req, res, s) {
    res.json(await s.users.update(caller(req), String(req.params.id), req.body));
  },
};
