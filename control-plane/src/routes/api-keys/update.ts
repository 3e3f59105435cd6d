import { caller, type Route } from '../route';

export const updateApiKey: Route = {
  method: 'patch',
  path: '/v1/api_keys/:id',
  access: { kind: 'permission', resource: 'api_keys', action: 'write' },
  async handle(req, res, s) {
    res.json(await s.apiKeys.update(caller(req), String(req.params.id), req.body ?? {}));
  },
};
