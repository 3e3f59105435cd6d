import type { Request, RequestHandler, Response } from 'express';
import type { Action } from '../domain/permissions';
import { holds } from '../domain/permissions';
import { errors } from '../errors';
import type { ApiKeysService } from '../services/api-keys';
import type { AuditService } from '../services/audit';
import type { AuthorizeService } from '../services/authorize';
import type { Caller, ServiceContext } from '../services/context';
import type { UsersService } from '../services/users';

export interface Services {
  readonly ctx: ServiceContext;
  readonly apiKeys: ApiKeysService;
  readonly users: UsersService;
  readonly authorize: AuthorizeService;
  readonly audit: AuditService;
}

/** Who may call a route: any principal, holders of a permission, or organization admins (users only). */
export type Access = { kind: 'public' } | { kind: 'any' } | { kind: 'permission'; resource: string; action: Action } | { kind: 'admin' } | { kind: 'user' };

export interface Route {
  readonly method: 'get' | 'post' | 'patch';
  /** Express path, e.g. `/v1/api_keys/:id`. */
  readonly path: string;
  readonly access: Access;
  handle(req: Request, res: Response, services: Services): Promise<void> | void;
}

export function caller(req: Request): Caller {
  const principal = req.auth.principal;
  if (!principal) throw errors.unauthenticated();
  return { principal, requestId: req.requestId, clientIp: req.clientIp };
}

/** The route's permission check, after authentication (which answered 401/403 IP already). */
export function enforce(access: Access): RequestHandler {
  return (req, _res, next) => {
    if (access.kind === 'public') return next();
    const p = req.auth.principal;
    if (!p) return next(errors.unauthenticated());
    if (access.kind === 'permission' && !holds(p.permissions, access.resource, access.action)) {
      const needed = `${access.resource}:${access.action}`;
      return next(errors.forbidden(`This requires the ${needed} permission${access.resource === 'api_keys' ? ` (developers ${access.action === 'read' ? 'View' : 'Manage'})` : ''}.`, [needed]));
    }
    if (access.kind === 'admin' && !(p.type === 'user' && p.role === 'admin')) {
      return next(errors.forbidden(p.type === 'api_key' ? 'Only organization admins can do this; API keys cannot, use an admin user token.' : 'Only organization admins can do this.'));
    }
    if (access.kind === 'user' && p.type !== 'user') {
      return next(errors.forbidden('Only users can do this; API keys cannot, use a user token.'));
    }
    next();
  };
}

export function perPage(q: Record<string, unknown>): number {
  const n = Number(q.per_page ?? 25);
  return Number.isInteger(n) ? n : 25;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
