import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authenticate } from '../services/authentication';
import type { ServiceContext } from '../services/context';
import '../http/context';

/** Authenticates every request it sees (mounted on /v1), before its body is even parsed. */
export function authentication(ctx: ServiceContext): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const outcome = await authenticate(ctx, req.get('Authorization'), req.clientIp);
      req.auth = { principal: outcome.principal, loggedKey: outcome.loggedKey, refusal: outcome.refusal };
      next(outcome.error);
    } catch (err) {
      next(err);
    }
  };
}
