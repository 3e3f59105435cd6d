import { caller, type Route } from '../route';

export const revealApiKey: Route = {
  method: 'post',
  path: '/v1/api_keys/:id/reveal',
  access: { kind: 'permission', resource: 'api_keys', action: 'write' },
  async handle(req, res, s) {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await s.apiKeys.reveal(caller(req), String(req.params.id)));
  },
};
