import { errors } from '../../errors';
import { caller, perPage, str, type Route } from '../route';

/** A date-time as UTC ISO text, so that any offset the contract allows reaches the database in range. */
function instant(v: unknown, name: string): string | undefined {
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw errors.validation([{ path: `/query/${name}`, message: 'must be a date-time' }]);
  return d.toISOString();
}

export const listApiKeyRequestLogs: Route = {
  method: 'get',
  path: '/v1/api_keys/:id/request_logs',
  access: { kind: 'permission', resource: 'api_keys', action: 'read' },
  async handle(req, res, s) {
    const q = req.query as Record<string, unknown>;
    res.json(
      await s.apiKeys.requestLogs(caller(req), String(req.params.id), {
        per_page: perPage(q),
        after_cursor: str(q.after_cursor),
        status: q.status === undefined ? undefined : Number(q.status),
        method: str(q.method),
        source: str(q.source),
        since: instant(q.since, 'since'),
        until: instant(q.until, 'until'),
      }),
    );
  },
};
