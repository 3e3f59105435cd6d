import type { Knex } from 'knex';
import { canonicalizeAllowedIps } from '../domain/ip';
import { named, toBuffer, toDate, toDateOrNull, toPage, type Page, type Queryable } from './common';

export interface ApiKeyRow {
  id: string;
  seq: string;
  organization_id: string;
  name: string;
  prefix: string;
  permissions: string[];
  internal_account_ids: string[];
  allowed_ips: string[];
  expires_at: Date | null;
  archived_at: Date | null;
  created_at: Date;
  created_by_type: 'user' | 'api_key';
  created_by_id: string;
  last_used_at: Date | null;
  lookup_hash: Buffer;
  secret_ciphertext: Buffer;
  /** `archived_at <= now()` by the database clock. */
  is_archived: boolean;
  /** `expires_at <= now()` by the database clock. */
  is_expired: boolean;
}

export type NewApiKey = Omit<ApiKeyRow, 'seq' | 'created_at' | 'last_used_at' | 'archived_at' | 'is_archived' | 'is_expired'>;

function columns(db: Queryable): (string | Knex.Raw)[] {
  return [
    'id', 'seq', 'organization_id', 'name', 'prefix', 'permissions', 'internal_account_ids',
    db.raw('allowed_ips::text[] as allowed_ips'),
    'expires_at', 'archived_at', 'created_at', 'created_by_type', 'created_by_id', 'last_used_at', 'lookup_hash', 'secret_ciphertext',
    db.raw('(archived_at is not null and archived_at <= now()) as is_archived'),
    db.raw('(expires_at is not null and expires_at <= now()) as is_expired'),
  ];
}

function map(r: Record<string, unknown>): ApiKeyRow {
  const ips = canonicalizeAllowedIps((r.allowed_ips as string[]) ?? []);
  return {
    ...(r as unknown as ApiKeyRow),
    seq: String(r.seq),
    permissions: [...((r.permissions as string[]) ?? [])],
    internal_account_ids: [...((r.internal_account_ids as string[]) ?? [])],
    allowed_ips: ips.ok ? ips.value : [],
    expires_at: toDateOrNull(r.expires_at),
    archived_at: toDateOrNull(r.archived_at),
    created_at: toDate(r.created_at),
    last_used_at: toDateOrNull(r.last_used_at),
    lookup_hash: toBuffer(r.lookup_hash),
    secret_ciphertext: toBuffer(r.secret_ciphertext),
    is_archived: Boolean(r.is_archived),
    is_expired: Boolean(r.is_expired),
  };
}

export const apiKeysRepo = {
  async insert(db: Queryable, row: NewApiKey): Promise<ApiKeyRow> {
    const [r] = await named('api_keys.insert', db('api_keys').insert(row).returning(columns(db)));
    return map(r);
  },

  async findById(db: Queryable, organizationId: string, id: string, forUpdate = false): Promise<ApiKeyRow | undefined> {
    const q = db('api_keys').select(columns(db)).where({ organization_id: organizationId, id }).first();
    const r = await named('api_keys.find_by_id', forUpdate ? q.forUpdate() : q);
    return r ? map(r) : undefined;
  },

  async findByLookupHash(db: Queryable, hash: Buffer): Promise<ApiKeyRow | undefined> {
    const r = await named('api_keys.find_by_lookup_hash', db('api_keys').select(columns(db)).where({ lookup_hash: hash }).first());
    return r ? map(r) : undefined;
  },

  async list(
    db: Queryable,
    organizationId: string,
    opts: { afterSeq?: string; limit: number; includeArchived: boolean; name?: string },
  ): Promise<Page<ApiKeyRow>> {
    const q = db('api_keys').select(columns(db)).where({ organization_id: organizationId }).orderBy('seq', 'asc').limit(opts.limit + 1);
    if (opts.afterSeq) q.where('seq', '>', opts.afterSeq);
    if (!opts.includeArchived) q.where((w) => w.whereNull('archived_at').orWhere('archived_at', '>', db.fn.now()));
    if (opts.name !== undefined) q.where('name', opts.name);
    return toPage((await named('api_keys.list', q)).map(map), opts.limit, (r) => r);
  },

  async update(db: Queryable, organizationId: string, id: string, patch: { name?: string; allowed_ips?: string[] }): Promise<ApiKeyRow> {
    const [r] = await named('api_keys.update', db('api_keys').where({ organization_id: organizationId, id }).update(patch).returning(columns(db)));
    return map(r);
  },

  /** Sets `archived_at` to the earlier of the current schedule and `now() + grace`: a schedule is never pushed back. */
  async scheduleArchive(db: Queryable, organizationId: string, id: string, graceSeconds: number): Promise<ApiKeyRow> {
    const at = db.raw(`now() + make_interval(secs => ?)`, [graceSeconds]);
    const [r] = await named(
      'api_keys.schedule_archive',
      db('api_keys')
        .where({ organization_id: organizationId, id })
        .update({ archived_at: db.raw(`least(coalesce(archived_at, 'infinity'::timestamptz), ?)`, [at]) })
        .returning(columns(db)),
    );
    return map(r);
  },

  /** One statement for a whole batch: `last_used_at` only ever moves forward. */
  async touchLastUsed(db: Queryable, usage: { id: string; at: Date }[]): Promise<void> {
    if (usage.length === 0) return;
    const values = usage.map(() => '(?, ?::timestamptz)').join(', ');
    await named(
      'api_keys.touch_last_used',
      db.raw(
        `update api_keys set last_used_at = greatest(coalesce(api_keys.last_used_at, '-infinity'::timestamptz), v.at)
         from (values ${values}) as v(id, at) where api_keys.id = v.id`,
        usage.flatMap((u) => [u.id, u.at.toISOString()]),
      ),
    );
  },
};
