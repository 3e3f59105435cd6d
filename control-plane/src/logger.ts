import type { LogLevel } from './config';

// Structured JSON logs, one line per event. Every field of every line goes through `redact`,
// the single redaction function: credentials never reach a log.

const SENSITIVE_KEY = /authorization|cookie|secret|token|password|credential|master.?key|api.?key$/i;
// Key secrets (`kp_…`), user tokens (`kpu_…`), and Basic/Bearer credentials embedded in free text.
// No word boundary: a secret glued to other text (`id_kp_…`, `client_kp_…`) is still a secret.
const SECRET_PATTERN = /(kpu?_)[0-9A-Za-z]{8,}/g;
const AUTH_PATTERN = /\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{8,}/gi;
export const REDACTED = '[REDACTED]';

export function redactString(value: string): string {
  return value.replace(SECRET_PATTERN, `$1${REDACTED}`).replace(AUTH_PATTERN, `$1 ${REDACTED}`);
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (value instanceof Error) {
    return redact({ name: value.name, message: value.message, stack: value.stack, code: (value as { code?: unknown }).code }, depth + 1);
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SENSITIVE_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel, sink: LogSink = (line) => process.stdout.write(line + '\n')): Logger {
  const threshold = LEVELS[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < threshold) return;
    const entry = redact({ time: new Date().toISOString(), level: lvl, msg, ...fields });
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
