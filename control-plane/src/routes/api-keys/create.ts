import { caller, type Route } from '../route';

export const createApiKey: Route = {
  method: 'post',
  path: '/v1/api_keys',
  access: { kind: 'permission', resource: 'api_keys', action: 'write' },
  async handle(req, res, s) {
    const { key, replayed } = await s.apiKeys.create(caller(req), req.body, req.get('Idempotency-Key'));
    res.status(201).setHeader('Idempotent-Replayed', String(replayed));
    res.setHeader('Cache-Control', 'no-store');
    res.json(key);
  },
};
