import path from 'node:path';
import { parseIpBlock, type IpBlock } from './domain/ip';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  readonly host: string;
  readonly port: number;
  /** `postgres://…` for PostgreSQL; undefined for the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** 32 bytes. Undefined only with the embedded database, which then keeps one in `dataDir/master.key`. */
  readonly masterKey: Buffer | undefined;
  readonly trustedProxies: readonly IpBlock[];
  readonly requestLogFlushMs: number;
  readonly requestLogBuffer: number;
  readonly requestLogBatch: number;
  readonly logLevel: LogLevel;
  /** Pool size for PostgreSQL (PGlite always has one connection). */
  readonly databasePoolMax: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer between ${min} and ${max}, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `expected an integer between ${min} and ${max}, got ${value}`);
  return value;
}

/** Reads the whole configuration once, failing with an error that names the offending variable. */
export function loadConfig(env: Env = process.env): Config {
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  const port = int(env, 'PORT', 4000, 0, 65535);

  const databaseUrl = (env.DATABASE_URL ?? '').trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'expected a postgres:// or postgresql:// URL');
  }
  const dataDir = path.resolve((env.KEYPLANE_DATA_DIR ?? '').trim() || '.keyplane');

  let masterKey: Buffer | undefined;
  const rawKey = (env.KEYPLANE_MASTER_KEY ?? '').trim();
  if (rawKey) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(rawKey)) throw new ConfigError('KEYPLANE_MASTER_KEY', 'expected base64 (for example `openssl rand -base64 32`)');
    masterKey = Buffer.from(rawKey, 'base64');
    if (masterKey.length !== 32) throw new ConfigError('KEYPLANE_MASTER_KEY', `expected 32 bytes of base64, got ${masterKey.length} bytes`);
  } else if (databaseUrl) {
    throw new ConfigError('KEYPLANE_MASTER_KEY', 'required with DATABASE_URL, and the same for every process sharing the database (generate one with `openssl rand -base64 32`)');
  }

  const trustedProxies: IpBlock[] = [];
  for (const item of (env.KEYPLANE_TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const parsed = parseIpBlock(item);
    if (!parsed.ok) throw new ConfigError('KEYPLANE_TRUSTED_PROXIES', `"${item}" is not an IP address or CIDR block: ${parsed.reason}`);
    trustedProxies.push(parsed.block);
  }

  const requestLogFlushMs = int(env, 'KEYPLANE_REQUEST_LOG_FLUSH_MS', 1000, 10, 60_000);
  const requestLogBuffer = int(env, 'KEYPLANE_REQUEST_LOG_BUFFER', 10_000, 1, 10_000_000);
  const requestLogBatch = int(env, 'KEYPLANE_REQUEST_LOG_BATCH', 500, 1, 10_000);
  const databasePoolMax = int(env, 'KEYPLANE_DATABASE_POOL_MAX', 10, 2, 1000);

  const levelRaw = ((env.LOG_LEVEL ?? '').trim() || 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(levelRaw)) {
    throw new ConfigError('LOG_LEVEL', `expected one of debug, info, warn, error, silent, got "${env.LOG_LEVEL}"`);
  }

  return {
    host,
    port,
    databaseUrl,
    dataDir,
    masterKey,
    trustedProxies,
    requestLogFlushMs,
    requestLogBuffer,
    requestLogBatch,
    logLevel: levelRaw as LogLevel,
    databasePoolMax,
  };
}
