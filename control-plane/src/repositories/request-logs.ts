import { named, toDate, toPage, type Page, type Queryable } from './common';

export interface RequestLogRow {
  id: string;
  seq: string;
  organization_id: string;
  api_key_id: string;
  source: 'control_plane' | 'authorization';
  occurred_at: Date;
  method: string | null;
  path: string | null;
  status: number;
  client_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  duration_ms: number;
  decision_reason: string | null;
}

export type NewRequestLog = Omit<RequestLogRow, 'seq'>;

/** A PostgreSQL array literal (`{"a",NULL}`), passed as one text parameter. */
function arrayLiteral(values: (string | null)[]): string {
  return '{' + values.map((v) => (v === null ? 'NULL' : '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"')).join(',') + '}';
}

function map(r: Record<string, unknown>): RequestLogRow {
  return { ...(r as unknown as RequestLogRow), seq: String(r.seq), occurred_at: toDate(r.occurred_at), duration_ms: Number(r.duration_ms), status: Number(r.status) };
}

export const requestLogsRepo = {
  /**
   * One INSERT for a whole batch, with one array parameter per column (`unnest`): 13 bindings
   * whatever the batch size, which parses far faster than thousands of placeholders.
   */
  async insertBatch(db: Queryable, rows: NewRequestLog[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <K extends keyof NewRequestLog>(k: K, map: (v: NewRequestLog[K]) => string | null = (v) => (v === null ? null : String(v))) =>
      arrayLiteral(rows.map((r) => map(r[k])));
    await named(
      'request_logs.insert_batch',
      db.raw(
        `insert into request_logs (id, organization_id, api_key_id, source, occurred_at, method, path, status, client_ip, user_agent, request_id, duration_ms, decision_reason)
         select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::int[], ?::inet[], ?::text[], ?::text[], ?::float8[], ?::text[])`,
        [
          col('id'),
          col('organization_id'),
          col('api_key_id'),
          col('source'),
          col('occurred_at', (d) => d.toISOString()),
          col('method'),
          col('path'),
          col('status'),
          col('client_ip'),
          col('user_agent'),
          col('request_id'),
          col('duration_ms'),
          col('decision_reason'),
        ],
      ),
    );
  },
  async list(
    db: Queryable,
    apiKeyId: string,
    opts: { beforeSeq?: string; limit: number; status?: number; method?: string; source?: string; since?: string; until?: string },
  ): Promise<Page<RequestLogRow>> {
    const q = db('request_logs')
      .select('id', 'seq', 'organization_id', 'api_key_id', 'source', 'occurred_at', 'method', 'path', 'status', db.raw('host(client_ip) as client_ip'), 'user_agent', 'request_id', 'duration_ms', 'decision_reason')
      .where({ api_key_id: apiKeyId })
      .orderBy('seq', 'desc')
      .limit(opts.limit + 1);
    if (opts.beforeSeq) q.where('seq', '<', opts.beforeSeq);
    if (opts.status !== undefined) q.where('status', opts.status);
    if (opts.method) q.where('method', opts.method);
    if (opts.source) q.where('source', opts.source);
    if (opts.since) q.where('occurred_at', '>=', opts.since);
    if (opts.until) q.where('occurred_at', '<', opts.until);
    return toPage((await named('request_logs.list', q)).map(map), opts.limit, (r) => r);
  },
};
