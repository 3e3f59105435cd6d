/**
 * Structured logging on stderr in the hclog JSON format that go-plugin
 * clients (OpenTofu/Terraform) parse and re-log (visible with TF_LOG).
 *
 * Each line: {"@level":..,"@message":..,"@module":..,"@timestamp":.., ...fields}.
 * The client type-asserts @level and @message to strings without checking,
 * so both are always coerced to strings here, and @timestamp always has
 * exactly six fractional digits (hclog's layout), else the line is logged raw.
 * Stdout is reserved for the go-plugin handshake line.
 */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };
const OFF = 5;

export interface Logger {
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Minimum level; default from TF_LOG_PROVIDER / TF_LOG, else "info". */
  level?: LogLevel | 'off';
  /** Line sink (without newline); default writes to process.stderr. */
  write?: (line: string) => void;
}

/** Resolves the threshold from the same variables Terraform uses for provider logs. */
export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel | 'off' {
  const raw = (env.TF_LOG_PROVIDER || env.TF_LOG || '').trim().toLowerCase();
  if (raw === '') return 'info';
  if (raw === 'off') return 'off';
  if (raw in LEVELS) return raw as LogLevel;
  // TF_LOG=JSON or any other non-empty value means "everything".
  return 'trace';
}

/** hclog's "2006-01-02T15:04:05.000000Z07:00" in UTC. */
export function hclogTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function fieldValue(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

export function createLogger(module: string, options: LoggerOptions = {}, baseFields: LogFields = {}): Logger {
  const threshold = (() => {
    const l = options.level ?? levelFromEnv();
    return l === 'off' ? OFF : LEVELS[l];
  })();
  const write =
    options.write ??
    ((line: string) => {
      // After the client went away stderr is a broken pipe: drop the line.
      if (!process.stderr.destroyed && process.stderr.writable) process.stderr.write(line + '\n');
    });

  const emit = (level: LogLevel, message: unknown, fields?: LogFields): void => {
    if (LEVELS[level] < threshold) return;
    const entry: Record<string, unknown> = {
      '@level': level,
      '@message': typeof message === 'string' ? message : String(message),
      '@module': module,
      '@timestamp': hclogTimestamp(),
    };
    for (const src of [baseFields, fields ?? {}]) {
      for (const [k, v] of Object.entries(src)) {
        if (k.startsWith('@')) continue; // never let callers override the reserved keys
        entry[k] = fieldValue(v);
      }
    }
    try {
      write(JSON.stringify(entry));
    } catch {
      // Logging must never take the plugin down (e.g. EPIPE after the client went away).
    }
  };

  return {
    trace: (m, f) => emit('trace', m, f),
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (fields) => createLogger(module, { ...options, level: options.level ?? levelFromEnv() }, { ...baseFields, ...fields }),
  };
}
