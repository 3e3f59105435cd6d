import type { Db } from '../db';
import { newId } from '../ids';
import { redactString, type Logger } from '../logger';
import { apiKeysRepo } from '../repositories/api-keys';
import { requestLogsRepo, type NewRequestLog } from '../repositories/request-logs';

export type RequestLogEntry = Omit<NewRequestLog, 'id'>;

export interface RequestLogWriterOptions {
  flushMs: number;
  /** Most entries held in memory; beyond it new entries are dropped and counted. */
  maxBuffer: number;
  /** A flush starts early once this many entries wait. */
  batchSize: number;
  /** When false, entries are not recorded at all (for the benchmark's baseline). */
  enabled?: boolean;
}

/**
 * Batches request-log writes off the request path: `record` only appends to a bounded in-memory
 * buffer; a timer (or a full batch) flushes it with one multi-row INSERT plus one `last_used_at`
 * UPDATE. `close` flushes what is left. A SIGKILL loses what is buffered (at most one interval).
 */
export class RequestLogWriter {
  private buffer: NewRequestLog[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private dropped = 0;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly opts: RequestLogWriterOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), opts.flushMs);
    this.timer.unref();
  }

  record(entry: RequestLogEntry): void {
    if (this.opts.enabled === false || this.closed) return;
    if (this.buffer.length >= this.opts.maxBuffer) {
      this.dropped++;
      return;
    }
    // Never credentials in the table: free-text fields go through the one redaction function.
    // NUL cannot be stored in PostgreSQL text and would fail the whole batch: replace it.
    const clean = (v: string | null) => (v === null ? null : redactString(v).replace(/\u0000/g, '\uFFFD'));
    this.buffer.push({
      id: newId('requestLog'),
      ...entry,
      path: entry.path === null ? null : clean(entry.path.split('?')[0]!),
      user_agent: clean(entry.user_agent),
      request_id: clean(entry.request_id),
    });
    if (this.buffer.length >= this.opts.batchSize) void this.flush();
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes everything buffered so far; resolves when it is in the database. */
  flush(): Promise<void> {
    this.inFlight = this.inFlight.then(() => this.writeBatches());
    return this.inFlight;
  }

  private async writeBatches(): Promise<void> {
    if (this.dropped > 0) {
      this.logger.warn('request log buffer full: entries dropped', { dropped: this.dropped, max_buffer: this.opts.maxBuffer });
      this.dropped = 0;
    }
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.opts.batchSize);
      const lastUsed = new Map<string, Date>();
      for (const e of batch) {
        const prev = lastUsed.get(e.api_key_id);
        if (!prev || prev < e.occurred_at) lastUsed.set(e.api_key_id, e.occurred_at);
      }
      try {
        await this.db.transaction(async (trx) => {
          await requestLogsRepo.insertBatch(trx, batch);
          await apiKeysRepo.touchLastUsed(trx, [...lastUsed].map(([id, at]) => ({ id, at })));
        });
      } catch (err) {
        this.logger.error('request log flush failed: entries lost', { lost: batch.length, error: err });
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    this.closed = true;
  }
}
