// The permission catalog and the rules over permission sets: holding, coverage (no escalation),
// validation and the canonical order.

export type Action = 'read' | 'write';

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

export interface ParsedPermission {
  readonly resource: string;
  readonly action: Action;
}

export function parsePermission(p: string): ParsedPermission | undefined {
  const m = /^(\*|[a-z][a-z_]{0,62}):(read|write)$/.exec(p);
  return m ? { resource: m[1]!, action: m[2] as Action } : undefined;
}

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
  if (!resourceSupports(resource, action)) return false;
  return set.some((entry) => {
    const p = parsePermission(entry);
    if (!p) return false;
    const resourceOk = p.resource === resource || p.resource === '*';
    const actionOk = p.action === action || (action === 'read' && p.action === 'write');
    return resourceOk && actionOk;
  });
}

/** The permissions of `requested` that `held` does not cover. `*:a` needs `a` on every resource supporting it. */
export function uncovered(held: readonly string[], requested: readonly string[]): string[] {
  const missing: string[] = [];
  for (const r of canonicalSet(requested)) {
    const p = parsePermission(r);
    if (!p) { missing.push(r); continue; }
    const resources = p.resource === '*' ? CATALOG.filter((e) => e.actions.includes(p.action)).map((e) => e.resource) : [p.resource];
    if (!resources.every((res) => holds(held, res, p.action))) missing.push(r);
  }
  return missing;
}

/** The accounts of `requested` outside `held`; an empty `held` means every account. */
export function uncoveredAccounts(held: readonly string[], requested: readonly string[]): { ok: boolean; outside: string[] } {
  if (held.length === 0) return { ok: true, outside: [] };
  if (requested.length === 0) return { ok: false, outside: [] };
  const outside = requested.filter((a) => !held.includes(a));
  return { ok: outside.length === 0, outside };
}

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
