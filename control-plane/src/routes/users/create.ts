import { caller, type Route } from '../route';

export const createUser: Route = {
  method: 'post',
  path: '/v1/users',
  access: { kind: 'admin' },
  async handle(req, res, s) {
    res.status(201).json(await s.users.create(caller(req), req.body));
  },
};
