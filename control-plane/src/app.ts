import express, { type NextFunction, type Request, type Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Config } from './config';
import { createDb, instrument, migrate, type Db } from './db';
import { Keyring, resolveMasterKey } from './domain/credentials';
import { errors, problemMiddleware } from './errors';
import { clientIp } from './http/client-ip';
import './http/context';
import { newId } from './ids';
import { createLogger, redactString, type Logger, type LogSink } from './logger';
import { RequestLogWriter } from './request-log/writer';
import { buildRouter } from './routes';
import type { Services } from './routes/route';
import { apiKeysService } from './services/api-keys';
import { authenticate } from './services/authentication';
import { authorizeService } from './services/authorize';
import type { ServiceContext } from './services/context';
import { usersService } from './services/users';
import { loadSpec } from './spec';

export interface AppOptions {
  /** Where JSON log lines go (default: stdout). */
  logSink?: LogSink;
  /** Run migrations before serving (default true). */
  migrate?: boolean;
  /** Record request logs (default true; the benchmark turns it off for its baseline). */
  requestLogging?: boolean;
}

export interface KeyplaneApp {
  app: express.Express;
  db: Db;
  config: Config;
  logger: Logger;
  services: Services;
  requestLog: RequestLogWriter;
  /** Flushes the request-log buffer and closes the database. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;
export const BODY_LIMIT = '64kb';

/** The composition root: config → db → services → routes. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<KeyplaneApp> {
  const logger = createLogger(config.logLevel, options.logSink);
  const db = createDb(config);
  instrument(db, logger);
  try {
    if (options.migrate !== false) await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const keyring = new Keyring(resolveMasterKey(config.masterKey, config.dataDir));
  const requestLog = new RequestLogWriter(db, logger, {
    flushMs: config.requestLogFlushMs,
    maxBuffer: config.requestLogBuffer,
    batchSize: config.requestLogBatch,
    enabled: options.requestLogging !== false,
  });
  const ctx: ServiceContext = { db, keyring, logger, requestLog };
  const services: Services = { ctx, apiKeys: apiKeysService(ctx), users: usersService(ctx), authorize: authorizeService(ctx) };
  const spec = loadSpec();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    req.startedAt = process.hrtime.bigint();
    req.receivedAt = new Date();
    const incoming = req.get('X-Request-Id');
    // A client's request ID is kept when it is tame; one that looks like a credential is replaced, never echoed.
    req.requestId = incoming && REQUEST_ID.test(incoming) && redactString(incoming) === incoming ? incoming : newId('request');
    req.clientIp = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustedProxies);
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
      if (key) {
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
      }
    });
    next();
  });

  app.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(spec.text);
  });

  // Authentication for every /v1 route before anything else about the request is
  // looked at (an anonymous caller never gets its body parsed).
  app.use('/v1', async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const outcome = await authenticate(ctx, req.get('Authorization'), req.clientIp);
      req.auth = { principal: outcome.principal, loggedKey: outcome.loggedKey, refusal: outcome.refusal };
      next(outcome.error);
    } catch (err) {
      next(err);
    }
  });

  app.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }));

  app.use(
    OpenApiValidator.middleware({
      apiSpec: structuredClone(spec.document) as never,
      validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, removeAdditional: false, allErrors: true },
      validateResponses: false,
      validateSecurity: false,
      validateApiSpec: true,
      ignoreUndocumented: false,
      // Probes take no input; a cache-busting query string must not fail a liveness check.
      ignorePaths: /^\/(healthz|readyz|openapi\.yaml)$/,
    }),
  );

  app.use(buildRouter(services));
  const documented = Object.entries(spec.document.paths as Record<string, Record<string, unknown>>).map(([template, item]) => ({
    regex: new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
    methods: Object.keys(item).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => m.toUpperCase()),
  }));
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const known = documented.find((d) => d.regex.test(req.path));
    next(known ? errors.methodNotAllowed(req.method, known.methods) : errors.routeNotFound(req.method, req.path));
  });
  app.use(
    problemMiddleware((err, req, apiError) => {
      if (apiError.status >= 500) {
        logger.error('request failed', { request_id: req.requestId, code: apiError.code, error: apiError.internal ?? err });
      }
    }),
  );

  let closed = false;
  return {
    app,
    db,
    config,
    logger,
    services,
    requestLog,
    async close() {
      if (closed) return;
      closed = true;
      await requestLog.close();
      await db.destroy();
    },
  };
}
