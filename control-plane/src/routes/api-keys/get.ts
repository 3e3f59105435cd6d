import { caller, type Route } from '../route';

export const getApiKey: Route = {
  method: 'get',
  path: '/v1/api_keys/:id',
  access: { kind: 'permission', resource: 'api_keys', action: 'read' },
  async handle(req, res, s) {
    res.json(await s.apiKeys.get(caller(req), String(req.params.id)));
  },
};
