import express from 'express';
import { authentication } from './auth/authenticate';
import type { Config } from './config';
import { createDb, instrument, migrate, type Db } from './db';
import { Keyring, resolveMasterKey } from './domain/credentials';
import { problemMiddleware } from './errors';
import { notFound, validateRequests } from './http/contract';
import { refuseNulCharacters } from './http/no-nul';
import { requestContext } from './http/request-context';
import { createLogger, type Logger, type LogSink } from './logger';
import { RequestLogWriter } from './request-log/writer';
import { buildRouter } from './routes';
import type { Services } from './routes/route';
import { apiKeysService } from './services/api-keys';
import { auditService } from './services/audit';
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

export const BODY_LIMIT = '64kb';

/** The composition root: config → db → services → routes. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<KeyplaneApp> {
  const logger = createLogger(config.logLevel, options.logSink);
  const db = createDb(config);
  try {
    if (options.migrate !== false) await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  // After migrating: a cold embedded database is slow for its first queries, which says nothing.
  instrument(db, logger);
  const keyring = new Keyring(resolveMasterKey(config.masterKey, config.dataDir));
  const requestLog = new RequestLogWriter(db, logger, {
    flushMs: config.requestLogFlushMs,
    maxBuffer: config.requestLogBuffer,
    batchSize: config.requestLogBatch,
    enabled: options.requestLogging !== false,
  });
  const ctx: ServiceContext = { db, keyring, logger, requestLog };
  const services: Services = { ctx, apiKeys: apiKeysService(ctx), users: usersService(ctx), authorize: authorizeService(ctx), audit: auditService(ctx) };
  const spec = loadSpec();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestContext({ trustedProxies: config.trustedProxies, logger, requestLog }));
  app.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(spec.text);
  });
  // Authentication before anything else about a /v1 request is looked at: an anonymous caller
  // never gets its body parsed, its route matched or its input validated.
  app.use('/v1', authentication(ctx));
  app.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  app.use(refuseNulCharacters());
  app.use(validateRequests(spec.document));
  app.use(buildRouter(services));
  app.use(notFound(spec.document));
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
