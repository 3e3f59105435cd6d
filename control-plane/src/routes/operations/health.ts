import { ping } from '../../db';
import { errors } from '../../errors';
import type { Route } from '../route';

export const getHealth: Route = {
  method: 'get',
  path: '/healthz',
  access: { kind: 'public' },
  handle(_req, res) {
    res.json({ status: 'ok' });
  },
};

export const getReadiness: Route = {
  method: 'get',
  path: '/readyz',
  access: { kind: 'public' },
  async handle(_req, res, s) {
    try {
      await ping(s.ctx.db);
    } catch (err) {
      throw errors.unavailable(err);
    }
    res.json({ status: 'ok' });
  },
};
