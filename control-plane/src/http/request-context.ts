import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IpBlock } from '../domain/ip';
import { newId } from '../ids';
import { redactString, type Logger } from '../logger';
import type { RequestLogWriter } from '../request-log/writer';
import { clientIp } from './client-ip';
import './context';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Per request: the request ID (a client's is kept when it is tame; one that looks like a
 * credential is replaced, never echoed), the client IP, and on finish one access-log line plus,
 * for an identified key, one entry in that key's request log (buffered, never on the request path).
 */
export function requestContext(opts: { trustedProxies: readonly IpBlock[]; logger: Logger; requestLog: RequestLogWriter }): RequestHandler {
  const { logger, requestLog } = opts;
  return (req: Request, res: Response, next: NextFunction) => {
    req.startedAt = process.hrtime.bigint();
    req.receivedAt = new Date();
    const incoming = req.get('X-Request-Id');
    req.requestId = incoming && REQUEST_ID.test(incoming) && redactString(incoming) === incoming ? incoming : newId('request');
    req.clientIp = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], opts.trustedProxies);
    req.auth = {};
    res.setHeader('X-Request-Id', req.requestId);
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - req.startedAt) / 1e6;
      const path = req.originalUrl.split('?')[0]!;
      logger.info('request', {
        method: req.method,
        path,
        status: res.statusCode,
        duration_ms: Math.round(durationMs * 100) / 100,
        request_id: req.requestId,
        principal_id: req.auth.principal?.id ?? req.auth.loggedKey?.id ?? null,
        client_ip: req.clientIp,
      });
      const key = req.auth.loggedKey;
      if (!key) return;
      requestLog.record({
        organization_id: key.organizationId,
        api_key_id: key.id,
        source: 'control_plane',
        occurred_at: req.receivedAt,
        method: req.method,
        path,
        status: res.statusCode,
        client_ip: req.clientIp,
        user_agent: req.get('User-Agent') ?? null,
        request_id: req.requestId,
        duration_ms: durationMs,
        decision_reason: req.auth.refusal ?? (res.statusCode >= 400 ? ((res.locals.problemCode as string | undefined) ?? null) : null),
      });
    });
    next();
  };
}
