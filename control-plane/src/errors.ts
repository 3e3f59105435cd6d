import type { ErrorRequestHandler, Request, Response } from 'express';
import { redact } from './logger';

// The one error catalog: a closed set of codes (= the `Problem.code` enum of openapi.yaml), one
// class, factories, and the middleware that renders RFC 9457 problem documents.

const CATALOG = {
  validation_failed: { status: 400, title: 'The request does not match the contract' },
  invalid_cursor: { status: 400, title: 'The cursor is not valid' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed' },
  ip_not_allowed: { status: 403, title: 'IP address not allowed' },
  permission_escalation: { status: 403, title: 'Cannot grant permissions you do not hold' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  already_exists: { status: 409, title: 'Already exists' },
  api_key_archived: { status: 409, title: 'The key is archived' },
  last_admin: { status: 409, title: 'The last admin cannot be demoted' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  permissions_immutable: { status: 422, title: 'Permissions are immutable' },
  unknown_permission: { status: 422, title: 'Unknown permission' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused with a different request' },
  invalid_expiry: { status: 422, title: 'Invalid expiry' },
  invalid_ip: { status: 422, title: 'Invalid IP address or CIDR block' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ErrorCode = keyof typeof CATALOG;
export const ERROR_CODES = Object.keys(CATALOG) as ErrorCode[];

export interface ProblemExtras {
  errors?: { path: string; message: string }[];
  missing_permissions?: string[];
  allowed_values?: string[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  constructor(
    readonly code: ErrorCode,
    /** Public: shown to the caller. */
    readonly detail: string,
    readonly extras: ProblemExtras = {},
    readonly headers: Record<string, string> = {},
    /** Internal: logged, never shown. */
    readonly internal?: unknown,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ApiError';
    this.status = CATALOG[code].status;
    this.title = CATALOG[code].title;
  }
}

export const WWW_AUTHENTICATE = 'Basic realm="keyplane", Bearer realm="keyplane"';

export const errors = {
  validation: (errs: { path: string; message: string }[], detail = 'The request does not match the contract; see `errors`.') =>
    new ApiError('validation_failed', detail, { errors: errs }),
  invalidCursor: () => new ApiError('invalid_cursor', 'The cursor is not one this server issued; start again without `after_cursor`.'),
  unauthenticated: (detail = 'The credential is not valid.') =>
    new ApiError('unauthenticated', detail, {}, { 'WWW-Authenticate': WWW_AUTHENTICATE }),
  forbidden: (detail: string, missing: string[] = []) =>
    new ApiError('forbidden', detail, missing.length ? { missing_permissions: missing } : {}),
  ipNotAllowed: (ip: string) =>
    new ApiError('ip_not_allowed', `This key may not be used from ${ip}; its allowed_ips do not include that address.`),
  escalation: (missing: string[], detail?: string) =>
    new ApiError(
      'permission_escalation',
      detail ?? `You cannot grant permissions you do not hold yourself: ${missing.join(', ')}.`,
      { missing_permissions: missing },
    ),
  notFound: (what: string) => new ApiError('not_found', `No ${what} with this ID in your organization.`),
  routeNotFound: (method: string, path: string) => new ApiError('not_found', `No route ${method} ${path}.`),
  methodNotAllowed: (method: string, allow: string[]) =>
    new ApiError('method_not_allowed', `${method} is not supported here; use ${allow.join(', ') || 'another route'}.`, {}, allow.length ? { Allow: allow.join(', ') } : {}),
  alreadyExists: (detail: string) => new ApiError('already_exists', detail),
  apiKeyArchived: (detail = 'The key is archived; archived keys cannot be changed. Create a new key instead.') =>
    new ApiError('api_key_archived', detail),
  lastAdmin: () => new ApiError('last_admin', 'This is the last admin of the organization; make another user admin first.'),
  payloadTooLarge: (limit: string) => new ApiError('payload_too_large', `The request body exceeds ${limit}.`),
  unsupportedMediaType: () => new ApiError('unsupported_media_type', 'Send the body as application/json.'),
  permissionsImmutable: (fields: string[]) =>
    new ApiError(
      'permissions_immutable',
      `Permissions of a key never change after creation (${fields.join(', ')} cannot be edited), so that its audit trail tells what it could do at any time. Create a new key with the permissions you need and archive this one.`,
    ),
  unknownPermission: (unknown: string[], allowed: string[]) =>
    new ApiError('unknown_permission', `Unknown permission${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. See GET /v1/permissions.`, { allowed_values: allowed }),
  idempotencyKeyReused: () =>
    new ApiError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body; use a new key for a different request.'),
  invalidExpiry: (detail: string) => new ApiError('invalid_expiry', detail),
  invalidIp: (value: string, reason: string) => new ApiError('invalid_ip', `"${value}" is not a valid IP address or CIDR block: ${reason}`),
  internal: (cause?: unknown) => new ApiError('internal_error', 'Something went wrong on our side; quote the request_id when asking for help.', {}, {}, cause),
  unavailable: (cause?: unknown) => new ApiError('service_unavailable', 'The database does not answer; try again shortly.', {}, { 'Retry-After': '1' }, cause),
};

export function problemBody(err: ApiError, req: Request): Record<string, unknown> {
  return {
    type: `https://keyplane.dev/problems/${err.code}`,
    title: err.title,
    status: err.status,
    code: err.code,
    detail: err.detail,
    instance: req.path,
    request_id: req.requestId,
    ...err.extras,
  };
}

export function sendProblem(res: Response, req: Request, err: ApiError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.locals.problemCode = err.code;
  // Problems can quote the request (its path, a parameter name): never a credential.
  res.status(err.status).type('application/problem+json').send(JSON.stringify(redact(problemBody(err, req))));
}

interface ValidatorError {
  status?: number;
  statusCode?: number;
  type?: string;
  message?: string;
  errors?: { path?: string; message?: string }[];
  headers?: Record<string, string>;
}

/** Turns anything thrown into an ApiError: ours, body-parser's, express-openapi-validator's, or unknown (500). */
export function toApiError(err: unknown, req: Request): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as ValidatorError;
  const status = e?.status ?? e?.statusCode;
  if (e?.type === 'entity.too.large') return errors.payloadTooLarge('the limit');
  if (e?.type === 'entity.parse.failed') return errors.validation([{ path: '/body', message: 'the body is not valid JSON' }], 'The body is not valid JSON.');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return errors.unsupportedMediaType();
  if (status === 400) {
    const list = (e.errors ?? []).map((x) => ({ path: normalizePath(x.path), message: x.message ?? 'invalid' }));
    return errors.validation(list.length ? list : [{ path: '/', message: e.message ?? 'invalid request' }]);
  }
  if (status === 404) return errors.routeNotFound(req.method, req.path);
  if (status === 405) {
    const allow = e.headers?.Allow ?? e.headers?.allow ?? '';
    return errors.methodNotAllowed(req.method, allow.split(',').map((s) => s.trim()).filter(Boolean));
  }
  if (status === 413) return errors.payloadTooLarge('the limit');
  if (status === 415) return errors.unsupportedMediaType();
  if (isDatabaseUnavailable(err)) return errors.unavailable(err);
  return errors.internal(err);
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

/** The database is down or unreachable (as opposed to a bug): 503, so clients and balancers retry. */
function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string };
  if (e?.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return e?.name === 'KnexTimeoutError' || /Unable to acquire a connection|Timeout acquiring a connection/.test(e?.message ?? '');
}

function normalizePath(path: string | undefined): string {
  if (!path) return '/';
  // express-openapi-validator reports `/body/x`, `.body.x` or `.query.x` depending on the location.
  const p = path.startsWith('.') ? path.slice(1).replace(/\./g, '/').replace(/\[(\d+)\]/g, '/$1') : path;
  return p.startsWith('/') ? p : `/${p}`;
}

export function problemMiddleware(onError: (err: unknown, req: Request, apiError: ApiError) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err, req);
    onError(err, req, apiError);
    if (res.headersSent) {
      res.end();
      return;
    }
    sendProblem(res, req, apiError);
  };
}
