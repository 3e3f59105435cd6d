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

function map(r: Record<string, unknown>): RequestLogRow {
  return { ...(r as unknown as RequestLogRow), seq: String(r.seq), occurred_at: toDate(r.occurred_at), duration_ms: Number(r.duration_ms), status: Number(r.status) };
}

export const requestLogsRepo = {
  /** One multi-row INSERT for a whole batch. */
  async insertBatch(db: Queryable, rows: NewRequestLog[]): Promise<void> {
    if (rows.length === 0) return;
    await named('request_logs.insert_batch', db('request_logs').insert(rows));
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
