// keyplane_api_key: a permissioned key. Name and allowed IPs update in place; permissions, the
// account restriction and the expiry never change after creation, so changing them replaces the
// key. Destroy archives (optionally after a grace period); a key archived outside Terraform
// disappears from state so the next plan creates it again.
import type { ApiKey } from '../../../client';
import { uncovered, uncoveredAccounts } from '../../../client/permissions';
import { diag, DiagnosticError, type Diagnostic } from '../plugin/diagnostics';
import { defineResource, planModifiers, type Attributes } from '../plugin/framework';
import { t } from '../plugin/types';
import { isWhollyKnown, valuesEqual, type ObjectValue, type Value } from '../plugin/values';
import {
  apiDiagnostic,
  configured,
  keepStateWhenEquivalent,
  keyAttributes,
  sameInstant,
  sameIpBlocks,
  validators,
  type KeyplaneProviderData,
} from './common';
import { parseDurationSeconds } from './duration';

const keep = planModifiers.useStateForUnknown();
const replace = planModifiers.requiresReplace();

export const apiKeyAttributes: Attributes = {
  id: { type: t.string, computed: true, description: 'The key ID (`key_…`).', planModifiers: [keep] },
  organization_id: { type: t.string, computed: true, description: 'The organization the key belongs to.', planModifiers: [keep] },
  name: { type: t.string, required: true, description: 'A human name for the key. Changes in place.' },
  permissions: {
    type: t.set(t.string),
    required: true,
    description:
      'What the key may do: `resource:action` with action `read` or `write` (write includes read); `*:read` is read-only on every resource; `api_keys:read` / `api_keys:write` let the key view / manage keys. Validated against the catalog (`data.keyplane_permissions`). **Changing it replaces the key**: permissions never change after creation.',
    validators: [validators.permissions],
    planModifiers: [replace],
  },
  internal_account_ids: {
    type: t.set(t.string),
    optional: true,
    computed: true,
    default: [],
    description: 'Restricts account-scoped resources to these internal accounts. Empty (the default) means every account. **Changing it replaces the key.**',
    validators: [validators.accountIds],
    planModifiers: [replace],
  },
  allowed_ips: {
    type: t.set(t.string),
    optional: true,
    computed: true,
    default: [],
    description: 'IPv4/IPv6 addresses and CIDR blocks the key may be used from; empty (the default) means anywhere. `10.0.0.1` and `10.0.0.1/32`, or two spellings of one IPv6 block, are the same value and never show a difference. Changes in place.',
    validators: [validators.allowedIps],
    planModifiers: [keepStateWhenEquivalent(sameIpBlocks)],
  },
  expires_at: {
    type: t.string,
    optional: true,
    description: 'When the key stops authenticating (RFC 3339, in the future). Omit for no expiry. **Changing it replaces the key.**',
    validators: [validators.timestamp],
    planModifiers: [keepStateWhenEquivalent(sameInstant), replace],
  },
  archive_grace_period: {
    type: t.string,
    optional: true,
    description: 'On destroy (and so on replacement), keep the old key working this long before it is archived, e.g. `24h`, so consumers can pick up the new secret. At most 30 days. Omit to archive at once.',
    validators: [validators.duration],
  },
  secret: {
    type: t.string,
    computed: true,
    sensitive: true,
    description: 'The secret (`kp_…`). Stored in state (sensitive); see the `keyplane_api_key_secret` ephemeral resource to keep it out of state.',
    planModifiers: [keep],
  },
  prefix: { type: t.string, computed: true, description: 'The first characters of the secret, to recognise it without revealing it.', planModifiers: [keep] },
  status: { type: t.string, computed: true, description: '`active` (archived keys are removed from state).', planModifiers: [keep] },
  created_at: { type: t.string, computed: true, description: 'When the key was created.', planModifiers: [keep] },
  last_used_at: {
    type: t.string,
    computed: true,
    description: 'When the key was last used, as of the last refresh. Refreshed on read, never a cause of a plan difference.',
    planModifiers: [keep],
  },
};

/** State from the API's key, keeping the spelling already in state where it means the same. */
function toState(key: ApiKey, prior: ObjectValue | null, secret: string | null): ObjectValue {
  const fresh = keyAttributes(key);
  const state: ObjectValue = {
    id: fresh.id,
    organization_id: fresh.organization_id,
    name: fresh.name,
    permissions: fresh.permissions,
    internal_account_ids: fresh.internal_account_ids,
    allowed_ips: prior && sameIpBlocks(prior.allowed_ips, fresh.allowed_ips) ? prior.allowed_ips : fresh.allowed_ips,
    expires_at: prior && sameInstant(prior.expires_at, fresh.expires_at) ? prior.expires_at : fresh.expires_at,
    archive_grace_period: prior?.archive_grace_period ?? null,
    secret,
    prefix: fresh.prefix,
    status: fresh.status,
    created_at: fresh.created_at,
    last_used_at: fresh.last_used_at,
  };
  return state;
}

/**
 * What the control plane would refuse, found at plan time: permissions outside the catalog, and
 * permissions or accounts the provider's own key does not hold (nobody grants what they do not hold).
 */
async function planProblems(data: KeyplaneProviderData, permissions: string[], accounts: string[] | undefined): Promise<Diagnostic[]> {
  const catalog = await data.api.permissionCatalog();
  const byResource = new Map(catalog.map((r) => [r.resource, r]));
  const allowed = catalog.flatMap((r) => r.actions.map((a) => `${r.resource}:${a}`));
  const problems: Diagnostic[] = [];
  for (const p of permissions) {
    const [resource, action] = p.split(':');
    if (resource === '*') continue;
    const entry = byResource.get(resource);
    if (!entry) {
      problems.push(
        diag.error(
          'Unknown permission',
          `"${p}": there is no resource "${resource}" in the Keyplane permission catalog. Allowed values: *:read, *:write, ${allowed.join(', ')}.`,
          ['permissions'],
        ),
      );
    } else if (!entry.actions.includes(action as 'read' | 'write')) {
      problems.push(
        diag.error('Unknown permission', `"${p}": ${resource} supports only ${entry.actions.map((a) => `${resource}:${a}`).join(', ')}.`, ['permissions']),
      );
    }
  }
  if (problems.length) return problems;
  const missing = uncovered(catalog, data.holder.permissions, permissions);
  if (missing.length) {
    problems.push(
      diag.error(
        'Cannot grant permissions the provider does not hold',
        `The provider's key (api_key / KEYPLANE_API_KEY) lacks ${missing.join(', ')}, and nobody can grant what they do not hold. Use a key that holds them, or grant less.`,
        ['permissions'],
      ),
    );
  }
  if (accounts !== undefined) {
    const held = data.holder.internalAccountIds;
    const outside = uncoveredAccounts(held, accounts);
    if (!outside.ok) {
      problems.push(
        diag.error(
          'Cannot grant accounts the provider does not hold',
          outside.outside.length
            ? `The provider's key is restricted to internal accounts ${held.join(', ')} and cannot grant ${outside.outside.join(', ')}.`
            : `The provider's key is restricted to internal accounts ${held.join(', ')}, so every key it creates must set internal_account_ids to some of them.`,
          ['internal_account_ids'],
        ),
      );
    }
  }
  return problems;
}

export const apiKeyResource = defineResource<KeyplaneProviderData>({
  typeName: 'keyplane_api_key',
  description: 'A permissioned Keyplane API key. Destroying it archives the key.',
  version: 0,
  stateUpgraders: {},
  attributes: apiKeyAttributes,

  async modifyPlan({ provider, prior, planned, config }) {
    // Validation against the live catalog needs the configured provider, so it runs at plan time,
    // for keys about to be created (or re-created): an existing key is never re-judged.
    if (!provider || planned === null || !isWhollyKnown(config.permissions) || config.permissions === null) return;
    const sameSet = (a: Value, b: Value) => valuesEqual(a, b, t.set(t.string));
    if (prior && sameSet(prior.permissions, planned.permissions) && sameSet(prior.internal_account_ids, planned.internal_account_ids)) return;
    const accounts = isWhollyKnown(planned.internal_account_ids) ? (planned.internal_account_ids as string[]) : undefined;
    try {
      return { diagnostics: await planProblems(provider, config.permissions as string[], accounts) };
    } catch (err) {
      return { diagnostics: [apiDiagnostic('Reading the permission catalog', err, provider.endpoint)] };
    }
  },

  async create({ provider, signal, planned }) {
    const data = configured(provider, signal);
    try {
      const key = await data.api.createKey({
        name: planned.name as string,
        permissions: planned.permissions as string[],
        internal_account_ids: planned.internal_account_ids as string[],
        allowed_ips: planned.allowed_ips as string[],
        expires_at: (planned.expires_at as string | null) ?? undefined,
      });
      return { state: toState(key, planned, key.secret) };
    } catch (err) {
      return { diagnostics: [apiDiagnostic('Creating the key', err, data.endpoint)] };
    }
  },

  async read({ provider, signal, state }) {
    const data = configured(provider, signal);
    try {
      const key = await data.api.getKey(state.id as string);
      // Archived, expired or gone: the key can never authenticate again, so forget it and let the
      // next plan create it again (an expiry in the past then fails that plan with a clear message).
      if (!key || key.status === 'archived' || (key.expires_at !== null && Date.parse(key.expires_at) <= Date.now())) {
        return { state: null };
      }
      return { state: toState(key, state, (state.secret as string | null) ?? null) };
    } catch (err) {
      return { state, diagnostics: [apiDiagnostic(`Reading key ${state.id}`, err, data.endpoint)] };
    }
  },

  async update({ provider, signal, prior, planned }) {
    const data = configured(provider, signal);
    const body: { name?: string; allowed_ips?: string[] } = {};
    if (planned.name !== prior.name) body.name = planned.name as string;
    if (!sameIpBlocks(planned.allowed_ips, prior.allowed_ips)) body.allowed_ips = planned.allowed_ips as string[];
    if (Object.keys(body).length === 0) return { state: planned }; // e.g. only archive_grace_period changed
    try {
      const key = await data.api.updateKey(prior.id as string, body);
      const state = toState(key, planned, prior.secret as string);
      state.last_used_at = planned.last_used_at; // planned from state; refreshed by the next read
      return { state };
    } catch (err) {
      return { diagnostics: [apiDiagnostic(`Updating key ${prior.id}`, err, data.endpoint)] };
    }
  },

  async delete({ provider, signal, prior }) {
    const data = configured(provider, signal);
    const grace = prior.archive_grace_period ? parseDurationSeconds(prior.archive_grace_period as string) ?? 0 : 0;
    try {
      await data.api.archiveKey(prior.id as string, Math.round(grace));
    } catch (err) {
      return { diagnostics: [apiDiagnostic(`Archiving key ${prior.id}`, err, data.endpoint)] };
    }
  },

  async importState({ provider, signal, id }) {
    const data = configured(provider, signal);
    if (!/^key_[0-9a-z]{26}$/.test(id)) {
      throw new DiagnosticError(diag.error('Invalid import ID', `"${id}" is not a key ID: import with the key's ID, for example key_01jf3z7w4v9q2m8k5t6r1y0x3c.`));
    }
    try {
      const existing = await data.api.getKey(id);
      if (!existing) throw new DiagnosticError(diag.error('Key not found', `No key ${id} in this organization.`));
      if (existing.status === 'archived') {
        throw new DiagnosticError(diag.error('Key is archived', `Key ${id} is archived; archived keys cannot be managed. Create a new key instead.`));
      }
      // Import retrieves the secret, which the control plane records as a secret_revealed audit event.
      const key = await data.api.revealKey(id);
      return { state: toState(key, null, key.secret) };
    } catch (err) {
      if (err instanceof DiagnosticError) throw err;
      throw new DiagnosticError(apiDiagnostic(`Importing key ${id}`, err, data.endpoint));
    }
  },
});
