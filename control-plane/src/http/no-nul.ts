import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errors } from '../errors';

/** Where a string with a NUL character sits in a parsed value, as a JSON pointer; undefined if none. */
function findNul(value: unknown, pointer: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer : undefined;
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = findNul(k, pointer, depth + 1) ?? findNul(v, `${pointer}/${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * PostgreSQL text cannot hold NUL (U+0000): such input would fail deep in a query as a 500, or
 * poison a request-log batch. Refuse it at the edge as a validation problem instead.
 */
export function refuseNulCharacters(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const where = findNul(req.query, '/query') ?? findNul(req.body, '/body');
    if (where) return next(errors.validation([{ path: where, message: 'must not contain the NUL character (U+0000)' }]));
    next();
  };
}
