import { named, toBuffer, toDate, toDateOrNull, type Queryable } from './common';

export interface UserTokenRow {
  id: string;
  organization_id: string;
  user_id: string;
  name: string;
  lookup_hash: Buffer;
  expires_at: Date | null;
  created_at: Date;
  is_expired: boolean;
}

function map(r: Record<string, unknown>): UserTokenRow {
  return {
    ...(r as unknown as UserTokenRow),
    lookup_hash: toBuffer(r.lookup_hash),
    expires_at: toDateOrNull(r.expires_at),
    created_at: toDate(r.created_at),
    is_expired: Boolean(r.is_expired),
  };
}

export const userTokensRepo = {
  async insert(
    db: Queryable,
    row: { id: string; organization_id: string; user_id: string; name: string; lookup_hash: Buffer; expires_at: Date | null; created_by_type: string | null; created_by_id: string | null },
  ): Promise<UserTokenRow> {
    const [r] = await named('user_tokens.insert', db('user_tokens').insert(row).returning(['*', db.raw('false as is_expired')]));
    return map(r);
  },
  async findByLookupHash(db: Queryable, hash: Buffer): Promise<UserTokenRow | undefined> {
    const r = await named(
      'user_tokens.find_by_lookup_hash',
      db('user_tokens').select('*', db.raw('(expires_at is not null and expires_at <= now()) as is_expired')).where({ lookup_hash: hash }).first(),
    );
    return r ? map(r) : undefined;
  },
};
