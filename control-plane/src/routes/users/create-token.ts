import { caller, type Route } from '../route';

export const createUserToken: Route = {
  method: 'post',
  path: '/v1/users/:id/tokens',
  // Admins for anyone in the organization, users for themselves (checked by the service).
  access: { kind: 'user' },
  async handle(req, res, s) {
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(await s.users.createToken(caller(req), String(req.params.id), req.body));
  },
};
