import type { DevelopersPermission, UserRole } from '../domain/permissions';
import { named, toDate, toPage, translate, type Page, type Queryable } from './common';

export interface UserRow {
  id: string;
  seq: string;
  organization_id: string;
  email: string;
  role: UserRole;
  developers_permission: DevelopersPermission;
  created_at: Date;
}

function map(r: Record<string, unknown>): UserRow {
  return { ...(r as unknown as UserRow), seq: String(r.seq), created_at: toDate(r.created_at) };
}

export const usersRepo = {
  async insert(db: Queryable, row: Omit<UserRow, 'seq' | 'created_at'>): Promise<UserRow> {
    return translate(async () => {
      const [r] = await named('users.insert', db('users').insert(row).returning('*'));
      return map(r);
    }, `A user with the email ${row.email} already exists in this organization.`);
  },
  async findById(db: Queryable, organizationId: string, id: string, forUpdate = false): Promise<UserRow | undefined> {
    const q = db('users').where({ organization_id: organizationId, id }).first();
    const r = await named('users.find_by_id', forUpdate ? q.forUpdate() : q);
    return r ? map(r) : undefined;
  },
  async list(db: Queryable, organizationId: string, afterSeq: string | undefined, limit: number): Promise<Page<UserRow>> {
    const q = db('users').where({ organization_id: organizationId }).orderBy('seq', 'asc').limit(limit + 1);
    if (afterSeq) q.where('seq', '>', afterSeq);
    return toPage((await named('users.list', q)).map(map), limit, (r) => r);
  },
  /** Locks the organization's admins, so that two concurrent demotions cannot remove the last one. */
  async lockAdmins(db: Queryable, organizationId: string): Promise<string[]> {
    const rows = await named('users.lock_admins', db('users').select('id').where({ organization_id: organizationId, role: 'admin' }).forUpdate());
    return rows.map((r: { id: string }) => r.id);
  },
  async update(db: Queryable, organizationId: string, id: string, patch: Partial<Pick<UserRow, 'role' | 'developers_permission'>>): Promise<UserRow> {
    const [r] = await named('users.update', db('users').where({ organization_id: organizationId, id }).update(patch).returning('*'));
    return map(r);
  },
};
