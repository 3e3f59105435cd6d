import { organizationOf } from '../../services/authentication';
import { caller, type Route } from '../route';

export const getMe: Route = {
  method: 'get',
  path: '/v1/me',
  access: { kind: 'any' },
  async handle(req, res, s) {
    const { principal } = caller(req);
    const org = await organizationOf(s.ctx, principal.organizationId);
    res.json({
      principal:
        principal.type === 'user'
          ? { type: 'user', id: principal.id, name: principal.name, role: principal.role, developers_permission: principal.developersPermission }
          : { type: 'api_key', id: principal.id, name: principal.name },
      organization: { id: org.id, name: org.name },
      permissions: principal.permissions,
      internal_account_ids: principal.internalAccountIds,
    });
  },
};
