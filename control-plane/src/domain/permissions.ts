// The permission catalog and the rules over permission sets: holding, coverage (no escalation),
// validation and the canonical order.

import * as shared from '../../../client/permissions';
import type { Action } from '../../../client/permissions';

export type { Action } from '../../../client/permissions';

export interface CatalogEntry {
  readonly resource: string;
  readonly description: string;
  readonly actions: readonly Action[];
  readonly account_scoped: boolean;
}

const rw: readonly Action[] = ['read', 'write'];

export const CATALOG: readonly CatalogEntry[] = [
  { resource: 'api_keys', description: 'API keys themselves: read = view keys and their request logs (developers View); write = create, edit, archive and reveal keys (developers Manage).', actions: rw, account_scoped: false },
  { resource: 'authorizations', description: 'Authorization decisions: write = call POST /v1/authorize on behalf of a protected service.', actions: ['write'], account_scoped: false },
  { resource: 'counterparties', description: 'Counterparties: read = list and read; write = also create and change.', actions: rw, account_scoped: false },
  { resource: 'expected_payments', description: 'Expected payments: read = list and read; write = also create and change. Restricted by internal account.', actions: rw, account_scoped: true },
  { resource: 'external_accounts', description: 'External accounts: read = list and read; write = also create and change.', actions: rw, account_scoped: false },
  { resource: 'internal_accounts', description: 'Internal (bank) accounts: read = list and read; write = also change. Restricted by internal account.', actions: rw, account_scoped: true },
  { resource: 'ledgers', description: 'Ledgers: read = list and read; write = also create and post.', actions: rw, account_scoped: false },
  { resource: 'payment_orders', description: 'Payment orders: read = list and read; write = also create and approve. Restricted by internal account.', actions: rw, account_scoped: true },
  { resource: 'transactions', description: 'Transactions: read = list and read; write = also reconcile. Restricted by internal account.', actions: rw, account_scoped: true },
  { resource: 'webhooks', description: 'Webhook endpoints: read = list and read; write = also create and change.', actions: rw, account_scoped: false },
];

const BY_RESOURCE = new Map(CATALOG.map((e) => [e.resource, e]));

export { parsePermission, type ParsedPermission } from '../../../client/permissions';

/** Every permission string the catalog allows, sorted. */
export const ALLOWED_PERMISSIONS: readonly string[] = [
  '*:read',
  '*:write',
  ...CATALOG.flatMap((e) => e.actions.map((a) => `${e.resource}:${a}`)),
].sort();

const ALLOWED_SET = new Set(ALLOWED_PERMISSIONS);

export function isKnownPermission(p: string): boolean {
  return ALLOWED_SET.has(p);
}

export function resourceSupports(resource: string, action: Action): boolean {
  return BY_RESOURCE.get(resource)?.actions.includes(action) ?? false;
}

export function isAccountScoped(resource: string): boolean {
  return BY_RESOURCE.get(resource)?.account_scoped ?? false;
}

/** Sorted (plain string order) and de-duplicated; nothing else is rewritten. */
export function canonicalSet(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Whether a permission set grants `action` on a concrete `resource` (write includes read). */
export function holds(set: readonly string[], resource: string, action: Action): boolean {
  return shared.holds(CATALOG, set, resource, action);
}

/** The permissions of `requested` that `held` does not cover. `*:a` needs `a` on every resource supporting it. */
export function uncovered(held: readonly string[], requested: readonly string[]): string[] {
  return shared.uncovered(CATALOG, held, requested);
}

export { uncoveredAccounts } from '../../../client/permissions';

export type UserRole = 'admin' | 'member';
export type DevelopersPermission = 'none' | 'view' | 'manage';

/** What a user holds: admin = `*:write` on every account; member = read everywhere but keys, plus the developers permission. */
export function userPermissions(role: UserRole, developers: DevelopersPermission): string[] {
  if (role === 'admin') return ['*:write'];
  const perms = CATALOG.filter((e) => e.resource !== 'api_keys' && e.actions.includes('read')).map((e) => `${e.resource}:read`);
  if (developers === 'view') perms.push('api_keys:read');
  if (developers === 'manage') perms.push('api_keys:write');
  return canonicalSet(perms);
}
