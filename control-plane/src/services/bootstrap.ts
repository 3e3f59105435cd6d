import type { Knex } from 'knex';
import type { Db } from '../db';
import type { Keyring } from '../domain/credentials';
import { newId } from '../ids';
import { organizationsRepo } from '../repositories/organizations';
import { usersRepo } from '../repositories/users';
import { recordAudit } from './audit';
import { issueUserToken, serializeUser } from './users';

export interface BootstrapResult {
  organization_id: string;
  user_id: string;
  token: string;
}

export interface BootstrapArgs {
  organizationName: string;
  adminEmail: string;
}

async function createOrganizationWithAdmin(trx: Knex.Transaction, keyring: Keyring, args: BootstrapArgs): Promise<BootstrapResult> {
  const org = await organizationsRepo.insert(trx, { id: newId('organization'), name: args.organizationName });
  await recordAudit(trx, { organizationId: org.id, actor: null, action: 'organization.created', entity: { type: 'organization', id: org.id }, changes: { after: { name: org.name } }, requestId: null });
  const user = await usersRepo.insert(trx, { id: newId('user'), organization_id: org.id, email: args.adminEmail, role: 'admin', developers_permission: 'manage' });
  await recordAudit(trx, { organizationId: org.id, actor: null, action: 'user.created', entity: { type: 'user', id: user.id }, changes: { after: serializeUser(user) }, requestId: null });
  const token = await issueUserToken(trx, keyring, { user, name: 'bootstrap', expiresAt: null, actor: null, requestId: null });
  return { organization_id: org.id, user_id: user.id, token: token.token };
}

/** Creates an organization with one admin and a token for that admin, all in one transaction. */
export function bootstrapOrganization(db: Db, keyring: Keyring, args: BootstrapArgs): Promise<BootstrapResult> {
  return db.transaction((trx) => createOrganizationWithAdmin(trx, keyring, args));
}

/** First start: bootstrap only when the database holds no organization yet (serialized with a lock on PostgreSQL). */
export function bootstrapIfEmpty(db: Db, keyring: Keyring, args: BootstrapArgs): Promise<BootstrapResult | undefined> {
  return db.transaction(async (trx) => {
    if (trx.client.config.client === 'pg') await trx.raw('select pg_advisory_xact_lock(?)', [0x6b657971]);
    if ((await organizationsRepo.count(trx)) > 0) return undefined;
    return createOrganizationWithAdmin(trx, keyring, args);
  });
}
