import type { Principal } from '../auth/principal';
import { generateSecret } from '../domain/credentials';
import type { DevelopersPermission, UserRole } from '../domain/permissions';
import { parseTimestamp } from '../domain/time';
import { errors } from '../errors';
import { newId } from '../ids';
import { decodeCursor, type Page, type Queryable } from '../repositories/common';
import { userTokensRepo } from '../repositories/user-tokens';
import { usersRepo, type UserRow } from '../repositories/users';
import type { Keyring } from '../domain/credentials';
import { recordAudit } from './audit';
import type { Caller, ServiceContext } from './context';

export function serializeUser(u: UserRow) {
  return { id: u.id, organization_id: u.organization_id, email: u.email, role: u.role, developers_permission: u.developers_permission, created_at: u.created_at.toISOString() };
}

export type SerializedUser = ReturnType<typeof serializeUser>;

/** Issues a user token (shown once, stored only as its keyed hash) and audits it. */
export async function issueUserToken(
  db: Queryable,
  keyring: Keyring,
  args: { user: UserRow; name: string; expiresAt: Date | null; actor: Principal | null; requestId: string | null },
) {
  const token = generateSecret('user_token');
  const row = await userTokensRepo.insert(db, {
    id: newId('userToken'),
    organization_id: args.user.organization_id,
    user_id: args.user.id,
    name: args.name,
    lookup_hash: keyring.lookupHash(token),
    expires_at: args.expiresAt,
    created_by_type: args.actor?.type ?? null,
    created_by_id: args.actor?.id ?? null,
  });
  await recordAudit(db, {
    organizationId: args.user.organization_id,
    actor: args.actor,
    action: 'user_token.created',
    entity: { type: 'user_token', id: row.id },
    changes: { after: { user_id: row.user_id, name: row.name, expires_at: row.expires_at?.toISOString() ?? null } },
    requestId: args.requestId,
  });
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    expires_at: row.expires_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    token,
  };
}

export function usersService(ctx: ServiceContext) {
  return {
    async list(caller: Caller, q: { per_page: number; after_cursor?: string }): Promise<Page<SerializedUser>> {
      const page = await usersRepo.list(ctx.db, caller.principal.organizationId, decodeCursor(q.after_cursor), q.per_page);
      return { data: page.data.map(serializeUser), next_cursor: page.next_cursor };
    },

    async create(caller: Caller, input: { email: string; role?: UserRole; developers_permission?: DevelopersPermission }): Promise<SerializedUser> {
      return ctx.db.transaction(async (trx) => {
        const user = await usersRepo.insert(trx, {
          id: newId('user'),
          organization_id: caller.principal.organizationId,
          email: input.email,
          role: input.role ?? 'member',
          developers_permission: input.developers_permission ?? 'none',
        });
        await recordAudit(trx, {
          organizationId: user.organization_id,
          actor: caller.principal,
          action: 'user.created',
          entity: { type: 'user', id: user.id },
          changes: { after: serializeUser(user) },
          requestId: caller.requestId,
        });
        return serializeUser(user);
      });
    },

    async update(caller: Caller, id: string, patch: { role?: UserRole; developers_permission?: DevelopersPermission }): Promise<SerializedUser> {
      return ctx.db.transaction(async (trx) => {
        const org = caller.principal.organizationId;
        const admins = await usersRepo.lockAdmins(trx, org);
        const user = await usersRepo.findById(trx, org, id, true);
        if (!user) throw errors.notFound('user');
        if (patch.role === 'member' && user.role === 'admin' && admins.length <= 1) throw errors.lastAdmin();
        const changes: Partial<Pick<UserRow, 'role' | 'developers_permission'>> = {};
        if (patch.role && patch.role !== user.role) changes.role = patch.role;
        if (patch.developers_permission && patch.developers_permission !== user.developers_permission) changes.developers_permission = patch.developers_permission;
        if (Object.keys(changes).length === 0) return serializeUser(user);
        const updated = await usersRepo.update(trx, org, id, changes);
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        for (const k of Object.keys(changes) as (keyof typeof changes)[]) {
          before[k] = user[k];
          after[k] = updated[k];
        }
        await recordAudit(trx, { organizationId: org, actor: caller.principal, action: 'user.updated', entity: { type: 'user', id }, changes: { before, after }, requestId: caller.requestId });
        return serializeUser(updated);
      });
    },

    async createToken(caller: Caller, userId: string, input: { name: string; expires_at?: string | null }) {
      const { principal } = caller;
      const user = await usersRepo.findById(ctx.db, principal.organizationId, userId);
      if (!user) throw errors.notFound('user');
      const isAdmin = principal.type === 'user' && principal.role === 'admin';
      const isSelf = principal.type === 'user' && principal.id === user.id;
      if (!isAdmin && !isSelf) throw errors.forbidden('Only organization admins can issue tokens for other users; users can issue tokens for themselves.');
      let expiresAt: Date | null = null;
      if (input.expires_at) {
        const parsed = parseTimestamp(input.expires_at);
        if (!parsed) throw errors.validation([{ path: '/body/expires_at', message: 'must be a valid RFC 3339 date-time' }]);
        expiresAt = parsed;
        if (expiresAt.getTime() <= Date.now()) throw errors.validation([{ path: '/body/expires_at', message: 'must be in the future' }], `expires_at must be in the future; ${input.expires_at} has passed.`);
      }
      return ctx.db.transaction((trx) => issueUserToken(trx, ctx.keyring, { user, name: input.name, expiresAt, actor: principal, requestId: caller.requestId }));
    },
  };
}

export type UsersService = ReturnType<typeof usersService>;
