// The permission algebra, shared by the control plane (which enforces it) and the provider (which
// checks a plan against it before anything is created). The catalog is a parameter: the control
// plane passes its own, the provider the one the control plane publishes at GET /v1/permissions.
export type Action = 'read' | 'write';

export interface CatalogResource {
  readonly resource: string;
  readonly actions: readonly Action[];
}

export interface ParsedPermission {
  readonly resource: string;
  readonly action: Action;
}

const PERMISSION = /^(\*|[a-z][a-z_]{0,62}):(read|write)$/;

export function parsePermission(p: string): ParsedPermission | undefined {
  const m = PERMISSION.exec(p);
  return m ? { resource: m[1]!, action: m[2] as Action } : undefined;
}

function supports(catalog: readonly CatalogResource[], resource: string, action: Action): boolean {
  return catalog.some((e) => e.resource === resource && e.actions.includes(action));
}

/** Whether a permission set grants `action` on a concrete `resource` (write includes read; `*` is every resource). */
export function holds(catalog: readonly CatalogResource[], set: readonly string[], resource: string, action: Action): boolean {
  if (!supports(catalog, resource, action)) return false;
  return set.some((entry) => {
    const p = parsePermission(entry);
    if (!p) return false;
    const resourceOk = p.resource === resource || p.resource === '*';
    const actionOk = p.action === action || (action === 'read' && p.action === 'write');
    return resourceOk && actionOk;
  });
}

/** The permissions of `requested` that `held` does not cover, sorted. `*:a` needs `a` on every resource supporting it. */
export function uncovered(catalog: readonly CatalogResource[], held: readonly string[], requested: readonly string[]): string[] {
  const missing: string[] = [];
  for (const r of [...new Set(requested)].sort()) {
    const p = parsePermission(r);
    if (!p) {
      missing.push(r);
      continue;
    }
    const resources = p.resource === '*' ? catalog.filter((e) => e.actions.includes(p.action)).map((e) => e.resource) : [p.resource];
    if (!resources.every((res) => holds(catalog, held, res, p.action))) missing.push(r);
  }
  return missing;
}

/** The accounts of `requested` outside `held`; an empty `held` means every account, an empty `requested` too. */
export function uncoveredAccounts(held: readonly string[], requested: readonly string[]): { ok: boolean; outside: string[] } {
  if (held.length === 0) return { ok: true, outside: [] };
  if (requested.length === 0) return { ok: false, outside: [] };
  const outside = requested.filter((a) => !held.includes(a));
  return { ok: outside.length === 0, outside };
}
