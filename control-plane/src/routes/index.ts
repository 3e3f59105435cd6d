import { Router, type Request, type Response, type NextFunction } from 'express';
import { archiveApiKey } from './api-keys/archive';
import { listApiKeyAuditEvents } from './api-keys/audit-events';
import { createApiKey } from './api-keys/create';
import { getApiKey } from './api-keys/get';
import { listApiKeys } from './api-keys/list';
import { listApiKeyRequestLogs } from './api-keys/request-logs';
import { revealApiKey } from './api-keys/reveal';
import { updateApiKey } from './api-keys/update';
import { listAuditEvents } from './audit/list';
import { authorize } from './authorization/authorize';
import { getMe } from './identity/me';
import { listPermissions } from './identity/permissions';
import { getHealth, getReadiness } from './operations/health';
import { enforce, type Route, type Services } from './route';
import { createUser } from './users/create';
import { createUserToken } from './users/create-token';
import { listUsers } from './users/list';
import { updateUser } from './users/update';

export const ROUTES: readonly Route[] = [
  getHealth,
  getReadiness,
  getMe,
  listPermissions,
  listApiKeys,
  createApiKey,
  getApiKey,
  updateApiKey,
  archiveApiKey,
  revealApiKey,
  listApiKeyRequestLogs,
  listApiKeyAuditEvents,
  listAuditEvents,
  authorize,
  listUsers,
  createUser,
  updateUser,
  createUserToken,
];

export function buildRouter(services: Services): Router {
  // Paths are case-sensitive like the contract: /V1/API_KEYS is not /v1/api_keys.
  const router = Router({ caseSensitive: true });
  for (const route of ROUTES) {
    router[route.method](route.path, enforce(route.access), async (req: Request, res: Response, next: NextFunction) => {
      try {
        await route.handle(req, res, services);
      } catch (err) {
        next(err);
      }
    });
  }
  return router;
}
