import { caller, type Route } from '../route';

export const archiveApiKey: Route = {
  method: 'post',
  path: '/v1/api_keys/:id/archive',
  access: { kind: 'permission', resource: 'api_keys', action: 'write' },
  async handle(req, res, s) {
    const grace = Number((req.body as { grace_period_seconds?: number } | undefined)?.grace_period_seconds ?? 0);
    res.json(await s.apiKeys.archive(caller(req), String(req.params.id), grace));
  },
};
