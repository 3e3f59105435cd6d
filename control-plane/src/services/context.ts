import type { Principal } from '../auth/principal';
import type { Db } from '../db';
import type { Keyring } from '../domain/credentials';
import type { Logger } from '../logger';
import type { RequestLogWriter } from '../request-log/writer';

/** What every service needs, built once by the composition root. */
export interface ServiceContext {
  readonly db: Db;
  readonly keyring: Keyring;
  readonly logger: Logger;
  readonly requestLog: RequestLogWriter;
}

/** Who is calling, for one request. */
export interface Caller {
  readonly principal: Principal;
  readonly requestId: string;
  readonly clientIp: string;
}
