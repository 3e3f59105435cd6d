import type { NextFunction, Request, RequestHandler, Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { errors } from '../errors';

/** Request validation against openapi.yaml at the edge (400 validation_failed, 404, 405, 415). */
export function validateRequests(document: Record<string, unknown>): RequestHandler[] {
  return OpenApiValidator.middleware({
    apiSpec: structuredClone(document) as never,
    validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, removeAdditional: false, allErrors: true },
    validateResponses: false,
    validateSecurity: false,
    validateApiSpec: true,
    ignoreUndocumented: false,
    // Probes take no input; a cache-busting query string must not fail a liveness check.
    ignorePaths: /^\/(healthz|readyz|openapi\.yaml)$/,
  });
}

/** What no route answered: 405 with Allow on a documented path, 404 elsewhere. */
export function notFound(document: Record<string, unknown>): RequestHandler {
  const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).map(([template, item]) => ({
    regex: new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
    methods: Object.keys(item).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => m.toUpperCase()),
  }));
  return (req: Request, _res: Response, next: NextFunction) => {
    const known = documented.find((d) => d.regex.test(req.path));
    next(known ? errors.methodNotAllowed(req.method, known.methods) : errors.routeNotFound(req.method, req.path));
  };
}
