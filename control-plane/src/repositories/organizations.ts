import { named, toDate, type Queryable } from './common';

export interface OrganizationRow {
  id: string;
  name: string;
  created_at: Date;
}

export const organizationsRepo = {
  async insert(db: Queryable, row: { id: string; name: string }): Promise<OrganizationRow> {
    const [r] = await named('organizations.insert', db('organizations').insert(row).returning('*'));
    return { ...r, created_at: toDate(r.created_at) };
  },
  async findById(db: Queryable, id: string): Promise<OrganizationRow | undefined> {
    const r = await named('organizations.find_by_id', db('organizations').where({ id }).first());
    return r ? { ...r, created_at: toDate(r.created_at) } : undefined;
  },
  async count(db: Queryable): Promise<number> {
    const r = await named('organizations.count', db('organizations').count<{ n: string }[]>({ n: '*' }));
    return Number(r[0]?.n ?? 0);
  },
};
