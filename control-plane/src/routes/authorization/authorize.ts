import { caller, type Route } from '../route';

export const authorize: Route = {
  method: 'post',
  path: '/v1/authorize',
  access: { kind: 'permission', resource: 'authorizations', action: 'write' },
  async handle(req, res, s) {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await s.authorize.decide(caller(req), req.body, req.startedAt));
  },
};
