/**
 * The permission catalog, as the control plane publishes it at `GET /v1/permissions` (and the
 * provider's `keyplane_permissions` data source reads it). Synthesis runs offline, so the library
 * carries its own copy to check permissions before any plan; the control plane and the provider
 * check them again against the live catalog.
 */

/** Everything a permission can name, except `*`. */
export type PermissionResource =
  | 'api_keys'
  | 'authorizations'
  | 'counterparties'
  | 'expected_payments'
  | 'external_accounts'
  | 'internal_accounts'
  | 'ledgers'
  | 'payment_orders'
  | 'transactions'
  | 'webhooks';

/** `read`, or `write` (which includes read). */
export type PermissionAction = 'read' | 'write';

/** Resources that support `read` (every resource but `authorizations`). */
export type ReadablePermissionResource = Exclude<PermissionResource, 'authorizations'>;

/** Resources that `restrictToAccounts` applies to. */
export type AccountScopedPermissionResource =
  | 'expected_payments'
  | 'internal_accounts'
  | 'payment_orders'
  | 'transactions';

/** A permission string, `resource:action`; `*` as resource = every resource supporting the action. */
export type PermissionString = `${PermissionResource | '*'}:${PermissionAction}`;

/** One entry of the catalog. */
export interface PermissionCatalogEntry {
  readonly resource: PermissionResource;
  readonly actions: readonly PermissionAction[];
  readonly accountScoped: boolean;
}

const BOTH: readonly PermissionAction[] = ['read', 'write'];

/** The catalog, sorted by resource like the API returns it. */
export const PERMISSION_CATALOG: readonly PermissionCatalogEntry[] = [
  { resource: 'api_keys', actions: BOTH, accountScoped: false },
  { resource: 'authorizations', actions: ['write'], accountScoped: false },
  { resource: 'counterparties', actions: BOTH, accountScoped: false },
  { resource: 'expected_payments', actions: BOTH, accountScoped: true },
  { resource: 'external_accounts', actions: BOTH, accountScoped: false },
  { resource: 'internal_accounts', actions: BOTH, accountScoped: true },
  { resource: 'ledgers', actions: BOTH, accountScoped: false },
  { resource: 'payment_orders', actions: BOTH, accountScoped: true },
  { resource: 'transactions', actions: BOTH, accountScoped: true },
  { resource: 'webhooks', actions: BOTH, accountScoped: false },
];

/** The catalog entry for a resource name, or undefined when the name is not in the catalog. */
export function catalogEntry(resource: string): PermissionCatalogEntry | undefined {
  return PERMISSION_CATALOG.find((entry) => entry.resource === resource);
}
