// Pieces shared by the Keyplane resource, data sources and ephemeral resource: the provider's
// configured data, API errors as diagnostics, validators, and the key ↔ state mapping.
import { canonicalIpBlocks, InvalidIpError } from '../../../client/cidr';
import { KeyplaneApiError, type ApiKey } from '../../../client';
import { diag, DiagnosticError, type Diagnostic, type PathStep } from '../plugin/diagnostics';
import type { PlanModifier, Validator } from '../plugin/framework';
import { isWhollyKnown, type ObjectValue, type Value } from '../plugin/values';
import type { KeyplaneApi } from './api';
import { parseDurationSeconds } from './duration';

export interface KeyplaneProviderData {
  readonly api: KeyplaneApi;
  readonly endpoint: string;
  /** What the provider's own key holds (from GET /v1/me at configure), to refuse escalation at plan time. */
  readonly holder: { readonly permissions: readonly string[]; readonly internalAccountIds: readonly string[] };
}

/**
 * The configured API for one provider call, bound to the call's abort signal. Fails with a clear
 * diagnostic when a handler runs before the provider could be configured.
 */
export function configured(data: KeyplaneProviderData | undefined, signal: AbortSignal): KeyplaneProviderData {
  if (!data) {
    throw new DiagnosticError(
      diag.error('Keyplane provider not configured', 'The provider configuration is not known yet; it must be known before keys can be managed.'),
    );
  }
  return { ...data, api: data.api.withSignal(signal) };
}

/** Turns any failure of an API call into a diagnostic that carries the server's explanation. */
export function apiDiagnostic(action: string, err: unknown, endpoint: string, path?: PathStep[]): Diagnostic {
  if (err instanceof KeyplaneApiError) {
    if (err.status === 0) {
      return diag.error(`Could not reach the Keyplane control plane`, `${action}: ${err.message} (endpoint ${endpoint}). Check \`endpoint\` / KEYPLANE_ENDPOINT and that the control plane is running.`, path);
    }
    const p = err.problem;
    let detail = p ? p.detail : `The control plane answered HTTP ${err.status}.`;
    const unnamed = p?.missing_permissions?.filter((m) => !detail.includes(m)) ?? [];
    if (unnamed.length) detail += ` Missing: ${unnamed.join(', ')}.`;
    if (p?.allowed_values?.length) detail += ` Allowed values: ${p.allowed_values.join(', ')}.`;
    if (err.status === 401) {
      detail += ' Check `api_key` / KEYPLANE_API_KEY (and `organization_id` / KEYPLANE_ORGANIZATION_ID): the key must be active, unexpired, and allowed from this IP address.';
    }
    if (p?.request_id) detail += ` (request ${p.request_id})`;
    return diag.error(`${action}: ${p?.title ?? `HTTP ${err.status}`}`, detail, path);
  }
  if (err instanceof DOMException && err.name === 'AbortError') {
    return diag.error(`${action}: cancelled`, 'The operation was interrupted before the control plane answered.', path);
  }
  return diag.error(`${action}: unexpected error`, err instanceof Error ? err.message : String(err), path);
}

export const PERMISSION_PATTERN = /^(\*|[a-z][a-z_]{0,62}):(read|write)$/;
const ACCOUNT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function eachString(value: Value, check: (s: string) => string | undefined): string | undefined {
  const problems = (value as string[]).map(check).filter((p): p is string => p !== undefined);
  return problems.length ? problems.join('\n') : undefined;
}

export const validators = {
  permissions: ((value) =>
    eachString(value, (p) =>
      PERMISSION_PATTERN.test(p) ? undefined : `"${p}" is not a permission: write resource:action, where action is read or write (for example payment_orders:read, or *:read for read-only on everything).`,
    )) as Validator,
  allowedIps: ((value) =>
    eachString(value, (ip) => {
      try {
        canonicalIpBlocks([ip]);
        return undefined;
      } catch (err) {
        return err instanceof InvalidIpError ? err.message : String(err);
      }
    })) as Validator,
  accountIds: ((value) =>
    eachString(value, (id) => (ACCOUNT_PATTERN.test(id) ? undefined : `"${id}" is not an internal account ID (letters, digits, _ . -; at most 64 characters).`))) as Validator,
  timestamp: ((value) =>
    Number.isNaN(Date.parse(value as string)) || !/^\d{4}-\d{2}-\d{2}T/.test(value as string)
      ? `"${value}" is not an RFC 3339 timestamp (for example 2027-01-31T00:00:00Z).`
      : undefined) as Validator,
  duration: ((value) =>
    parseDurationSeconds(value as string) === undefined
      ? `"${value}" is not a duration: use a number with a unit, for example 24h, 90m or 1h30m.`
      : parseDurationSeconds(value as string)! > 30 * 24 * 3600
        ? `"${value}" is longer than the control plane allows (30 days).`
        : undefined) as Validator,
};

export function sameIpBlocks(a: Value, b: Value): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  try {
    return JSON.stringify(canonicalIpBlocks(a as string[])) === JSON.stringify(canonicalIpBlocks(b as string[]));
  } catch {
    return false;
  }
}

export function sameInstant(a: Value, b: Value): boolean {
  return typeof a === 'string' && typeof b === 'string' && Date.parse(a) === Date.parse(b) && !Number.isNaN(Date.parse(a));
}

/**
 * Keeps the state's spelling when the configuration says the same thing differently
 * (`10.0.0.1` vs `10.0.0.1/32`), so that plans never show a false difference.
 */
export function keepStateWhenEquivalent(equivalent: (a: Value, b: Value) => boolean): PlanModifier {
  return {
    description: 'Another spelling of the value in state is not a change.',
    modify: (ctx) =>
      !ctx.creating && ctx.prior !== null && isWhollyKnown(ctx.planned) && equivalent(ctx.prior, ctx.planned)
        ? { planned: ctx.prior }
        : undefined,
  };
}

/** The attributes a key shares between the resource and the data sources, from the API. */
export function keyAttributes(key: ApiKey): ObjectValue {
  return {
    id: key.id,
    organization_id: key.organization_id,
    name: key.name,
    prefix: key.prefix,
    permissions: [...key.permissions],
    internal_account_ids: [...key.internal_account_ids],
    allowed_ips: [...key.allowed_ips],
    expires_at: key.expires_at,
    status: key.status,
    created_at: key.created_at,
    archived_at: key.archived_at,
    last_used_at: key.last_used_at,
  };
}
