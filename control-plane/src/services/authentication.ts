import { blocksFromCanonical, anyBlockContains } from '../domain/ip';
import { classifySecret } from '../domain/credentials';
import { userPermissions } from '../domain/permissions';
import { errors, type ApiError } from '../errors';
import { apiKeysRepo, type ApiKeyRow } from '../repositories/api-keys';
import { organizationsRepo } from '../repositories/organizations';
import { userTokensRepo } from '../repositories/user-tokens';
import { usersRepo } from '../repositories/users';
import type { ApiKeyPrincipal, Principal } from '../auth/principal';
import type { ServiceContext } from './context';

export type Credential = { scheme: 'basic'; organizationId: string; secret: string } | { scheme: 'bearer'; secret: string };

export interface AuthOutcome {
  principal?: Principal;
  error?: ApiError;
  /** A key the credential identified (also when refused), for its request log. */
  loggedKey?: { id: string; organizationId: string };
  refusal?: string;
}

/** Parses the Authorization header; undefined for a malformed one. */
export function parseAuthorization(header: string): Credential | undefined {
  const m = /^(\S+)\s+(\S+)\s*$/.exec(header.trim());
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'bearer') return { scheme: 'bearer', secret: m[2]! };
  if (scheme !== 'basic') return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(m[2]!)) return undefined;
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { scheme: 'basic', organizationId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export function keyPrincipal(key: ApiKeyRow): ApiKeyPrincipal {
  return { type: 'api_key', id: key.id, organizationId: key.organization_id, name: key.name, permissions: key.permissions, internalAccountIds: key.internal_account_ids, key };
}

/** Why a key may not authenticate now, or undefined when it may. */
export function keyRefusal(key: ApiKeyRow): 'archived' | 'expired' | undefined {
  if (key.is_archived) return 'archived';
  if (key.is_expired) return 'expired';
  return undefined;
}

export function ipAllowed(key: ApiKeyRow, ip: string | undefined): boolean {
  if (key.allowed_ips.length === 0) return true;
  return anyBlockContains(blocksFromCanonical(key.allowed_ips), ip);
}

/**
 * Credential → principal, in the enforcement order: well-formed → found → organization matches →
 * active and unexpired → client IP allowed. Every failure is the same generic 401 to the caller;
 * the precise reason goes to the key's request log only.
 */
export async function authenticate(ctx: ServiceContext, header: string | undefined, clientIp: string): Promise<AuthOutcome> {
  if (!header) {
    return { error: errors.unauthenticated('Authentication required: send `Authorization: Basic base64(organization_id:secret)` or `Authorization: Bearer <secret>`.') };
  }
  const credential = parseAuthorization(header);
  if (!credential) {
    return { error: errors.unauthenticated('The Authorization header is malformed: use `Basic base64(organization_id:secret)` or `Bearer <secret>`.') };
  }
  const invalid = () => ({ error: errors.unauthenticated() });
  const kind = classifySecret(credential.secret);
  if (!kind) return invalid();
  const hash = ctx.keyring.lookupHash(credential.secret);

  if (kind === 'api_key') {
    const key = await apiKeysRepo.findByLookupHash(ctx.db, hash);
    if (!key || !ctx.keyring.matches(key.lookup_hash, credential.secret)) return invalid();
    const loggedKey = { id: key.id, organizationId: key.organization_id };
    if (credential.scheme === 'basic' && credential.organizationId !== key.organization_id) {
      return { ...invalid(), loggedKey, refusal: 'organization_mismatch' };
    }
    const refusal = keyRefusal(key);
    if (refusal) return { ...invalid(), loggedKey, refusal };
    if (!ipAllowed(key, clientIp)) return { error: errors.ipNotAllowed(clientIp), loggedKey, refusal: 'ip_not_allowed' };
    return { principal: keyPrincipal(key), loggedKey };
  }

  const token = await userTokensRepo.findByLookupHash(ctx.db, hash);
  if (!token || !ctx.keyring.matches(token.lookup_hash, credential.secret) || token.is_expired) return invalid();
  if (credential.scheme === 'basic' && credential.organizationId !== token.organization_id) return invalid();
  const user = await usersRepo.findById(ctx.db, token.organization_id, token.user_id);
  if (!user) return invalid();
  return {
    principal: {
      type: 'user',
      id: user.id,
      organizationId: user.organization_id,
      name: user.email,
      role: user.role,
      developersPermission: user.developers_permission,
      permissions: userPermissions(user.role, user.developers_permission),
      internalAccountIds: [],
    },
  };
}

export async function organizationOf(ctx: ServiceContext, id: string) {
  const org = await organizationsRepo.findById(ctx.db, id);
  if (!org) throw errors.internal(new Error(`organization ${id} of an authenticated principal is missing`));
  return org;
}
