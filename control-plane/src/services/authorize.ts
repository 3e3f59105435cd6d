import { canonicalAddress } from '../domain/ip';
import { classifySecret } from '../domain/credentials';
import { holds, isAccountScoped, isKnownPermission, parsePermission } from '../domain/permissions';
import { errors } from '../errors';
import { apiKeysRepo } from '../repositories/api-keys';
import { ipAllowed, keyRefusal } from './authentication';
import type { Caller, ServiceContext } from './context';

export interface AuthorizeInput {
  credential: string;
  permission: string;
  internal_account_id?: string;
  client_ip?: string;
  method?: string;
  path?: string;
  user_agent?: string;
  request_id?: string;
}

type Reason = 'allowed' | 'invalid_credential' | 'archived' | 'expired' | 'ip_not_allowed' | 'ip_required' | 'missing_permission' | 'account_not_allowed' | 'unknown_permission';

const DETAIL: Record<Reason, string> = {
  allowed: 'The key holds the permission.',
  invalid_credential: 'The credential is not a key of your organization.',
  archived: 'The key is archived; it never authenticates again.',
  expired: 'The key has expired.',
  ip_not_allowed: "The client IP is outside the key's allowed_ips.",
  ip_required: 'The key has an IP allowlist; send client_ip.',
  missing_permission: 'The key does not hold this permission.',
  account_not_allowed: "The internal account is outside the key's internal_account_ids.",
  unknown_permission: 'The permission is not in the catalog (GET /v1/permissions).',
};

/** Decides whether a credential presented to a protected service may do something; records the decision in that key's request log. */
export function authorizeService(ctx: ServiceContext) {
  return {
    async decide(caller: Caller, input: AuthorizeInput, startedAt: bigint) {
      let clientIp: string | undefined;
      if (input.client_ip !== undefined) {
        clientIp = canonicalAddress(input.client_ip);
        if (!clientIp) throw errors.validation([{ path: '/body/client_ip', message: 'must be an IPv4 or IPv6 address' }]);
      }
      const answer = (reason: Reason, apiKeyId: string | null) => ({ allowed: reason === 'allowed', reason, api_key_id: apiKeyId, detail: DETAIL[reason] });

      if (classifySecret(input.credential) !== 'api_key') return answer('invalid_credential', null);
      const key = await apiKeysRepo.findByLookupHash(ctx.db, ctx.keyring.lookupHash(input.credential));
      if (!key || key.organization_id !== caller.principal.organizationId || !ctx.keyring.matches(key.lookup_hash, input.credential)) {
        return answer('invalid_credential', null);
      }

      let reason: Reason = 'allowed';
      const perm = parsePermission(input.permission);
      const refusal = keyRefusal(key);
      if (refusal) reason = refusal;
      else if (!perm || perm.resource === '*' || !isKnownPermission(input.permission)) reason = 'unknown_permission';
      else if (key.allowed_ips.length > 0 && !clientIp) reason = 'ip_required';
      else if (!ipAllowed(key, clientIp)) reason = 'ip_not_allowed';
      else if (!holds(key.permissions, perm.resource, perm.action)) reason = 'missing_permission';
      else if (isAccountScoped(perm.resource) && key.internal_account_ids.length > 0) {
        if (!input.internal_account_id || !key.internal_account_ids.includes(input.internal_account_id)) reason = 'account_not_allowed';
      }

      const result = answer(reason, key.id);
      if (reason === 'account_not_allowed' && !input.internal_account_id) {
        result.detail = 'The key is restricted to internal accounts; send the internal_account_id the request touches.';
      }
      ctx.requestLog.record({
        organization_id: key.organization_id,
        api_key_id: key.id,
        source: 'authorization',
        occurred_at: new Date(),
        method: input.method ?? null,
        path: input.path ?? null,
        status: result.allowed ? 200 : 403,
        client_ip: clientIp ?? null,
        user_agent: input.user_agent ?? null,
        request_id: input.request_id ?? caller.requestId,
        duration_ms: Number(process.hrtime.bigint() - startedAt) / 1e6,
        decision_reason: reason,
      });
      return result;
    },
  };
}

export type AuthorizeService = ReturnType<typeof authorizeService>;
