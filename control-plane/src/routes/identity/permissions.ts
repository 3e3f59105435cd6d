import { CATALOG } from '../../domain/permissions';
import type { Route } from '../route';

export const listPermissions: Route = {
  method: 'get',
  path: '/v1/permissions',
  access: { kind: 'any' },
  handle(_req, res) {
    res.json({ data: [...CATALOG].sort((a, b) => a.resource.localeCompare(b.resource)).map((e) => ({ ...e, actions: [...e.actions] })) });
  },
};
