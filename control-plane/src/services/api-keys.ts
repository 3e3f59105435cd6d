import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { blockContains, parseIpBlock } from '../../../client/cidr';
import { canonicalizeAllowedIps } from '../domain/ip';
import { parseTimestamp } from '../domain/time';
import { generateSecret, secretPrefix } from '../domain/credentials';
import { ALLOWED_PERMISSIONS, canonicalSet, isKnownPermission, uncovered, uncoveredAccounts } from '../domain/permissions';
import { errors } from '../errors';
import { newId } from '../ids';
import { apiKeysRepo, type ApiKeyRow } from '../repositories/api-keys';
import { auditEventsRepo } from '../repositories/audit-events';
import { decodeCursor, type Page, type Queryable } from '../repositories/common';
import { idempotencyRepo } from '../repositories/idempotency';
import { requestLogsRepo, type RequestLogRow } from '../repositories/request-logs';
import { recordAudit, serializeAuditEvent } from './audit';
import type { Caller, ServiceContext } from './context';

export function serializeApiKey(k: ApiKeyRow) {
  return {
    id: k.id,
    organization_id: k.organization_id,
    name: k.name,
    prefix: k.prefix,
    permissions: k.permissions,
    internal_account_ids: k.internal_account_ids,
    allowed_ips: k.allowed_ips,
    expires_at: k.expires_at?.toISOString() ?? null,
    status: k.is_archived ? ('archived' as const) : ('active' as const),
    created_at: k.created_at.toISOString(),
    created_by: { type: k.created_by_type, id: k.created_by_id },
    archived_at: k.archived_at?.toISOString() ?? null,
    last_used_at: k.last_used_at?.toISOString() ?? null,
  };
}

export type SerializedApiKey = ReturnType<typeof serializeApiKey>;

export function serializeRequestLog(r: RequestLogRow) {
  return {
    id: r.id,
    api_key_id: r.api_key_id,
    source: r.source,
    occurred_at: r.occurred_at.toISOString(),
    method: r.method,
    path: r.path,
    status: r.status,
    client_ip: r.client_ip,
    user_agent: r.user_agent,
    request_id: r.request_id,
    duration_ms: r.duration_ms,
    decision_reason: r.decision_reason,
  };
}

export interface CreateApiKeyInput {
  name: string;
  permissions: string[];
  internal_account_ids?: string[];
  allowed_ips?: string[];
  expires_at?: string | null;
}

function canonicalIps(values: readonly string[] | undefined): string[] {
  const result = canonicalizeAllowedIps(values ?? []);
  if (!result.ok) throw errors.invalidIp(result.value, result.reason);
  return result.value;
}

/** No escalation: the caller must hold every permission and every account it would hand out. */
export function assertCovers(principal: Principal, permissions: readonly string[], accounts: readonly string[]): void {
  const missing = uncovered(principal.permissions, permissions);
  if (missing.length) throw errors.escalation(missing);
  const acc = uncoveredAccounts(principal.internalAccountIds, accounts);
  if (!acc.ok) {
    const detail = acc.outside.length
      ? `You are restricted to internal accounts ${principal.internalAccountIds.join(', ')} and cannot grant ${acc.outside.join(', ')}.`
      : `You are restricted to internal accounts ${principal.internalAccountIds.join(', ')}; the key must be restricted to some of them (internal_account_ids).`;
    throw errors.escalation(acc.outside.map((a) => `internal_account_ids:${a}`), detail);
  }
}

/**
 * A key's limits travel with what it creates: a key restricted to some addresses or with an
 * expiry can only hand out (or set) allowlists inside its own and expiries no later than its own,
 * or its restrictions would be one API call away from gone.
 */
export function assertWithinCallerLimits(principal: Principal, allowedIps: readonly string[] | undefined, expiresAt: Date | null | undefined): void {
  if (principal.type !== 'api_key') return;
  const own = principal.key;
  if (allowedIps !== undefined && own.allowed_ips.length > 0) {
    const held = own.allowed_ips.map((b) => parseIpBlock(b));
    const outside = allowedIps.length === 0 ? ['(anywhere)'] : allowedIps.filter((b) => {
      const block = parseIpBlock(b);
      return !held.some((h) => h.family === block.family && h.prefix <= block.prefix && blockContains(h, block));
    });
    if (outside.length) {
      throw errors.escalation([], `You may only be used from ${own.allowed_ips.join(', ')}, so allowed_ips must lie inside those blocks; not inside: ${outside.join(', ')}.`);
    }
  }
  if (expiresAt !== undefined && own.expires_at) {
    if (expiresAt === null || expiresAt.getTime() > own.expires_at.getTime()) {
      throw errors.escalation([], `You expire at ${own.expires_at.toISOString()}, so the keys you create must expire no later (expires_at).`);
    }
  }
}

/** The request in canonical form, so that two spellings of one request (`10.0.0.1` / `10.0.0.1/32`) are one. */
function requestHash(input: { name: string; permissions: string[]; accounts: string[]; allowedIps: string[]; expiresAt: Date | null }): string {
  const canonical = JSON.stringify([input.name, input.permissions, input.accounts, input.allowedIps, input.expiresAt?.toISOString() ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

async function findInOrg(db: Queryable, caller: Caller, id: string, forUpdate = false): Promise<ApiKeyRow> {
  const key = await apiKeysRepo.findById(db, caller.principal.organizationId, id, forUpdate);
  if (!key) throw errors.notFound('key');
  return key;
}

export function apiKeysService(ctx: ServiceContext) {
  const withSecret = (key: ApiKeyRow) => ({ ...serializeApiKey(key), secret: ctx.keyring.decrypt(key.secret_ciphertext, key.id) });

  return {
    async create(caller: Caller, input: CreateApiKeyInput, idempotencyKey?: string): Promise<{ key: ReturnType<typeof withSecret>; replayed: boolean }> {
      const unknown = input.permissions.filter((p) => !isKnownPermission(p));
      if (unknown.length) throw errors.unknownPermission(canonicalSet(unknown), [...ALLOWED_PERMISSIONS]);
      const permissions = canonicalSet(input.permissions);
      const accounts = canonicalSet(input.internal_account_ids ?? []);
      const allowedIps = canonicalIps(input.allowed_ips);
      let expiresAt: Date | null = null;
      if (input.expires_at) {
        const parsed = parseTimestamp(input.expires_at);
        if (!parsed) throw errors.invalidExpiry(`expires_at is not a valid RFC 3339 date-time: ${input.expires_at}.`);
        expiresAt = parsed;
        if (expiresAt.getTime() <= Date.now()) throw errors.invalidExpiry(`expires_at must be in the future; ${input.expires_at} has passed.`);
      }
      const { principal } = caller;
      assertCovers(principal, permissions, accounts);
      assertWithinCallerLimits(principal, allowedIps, expiresAt);

      const hash = idempotencyKey ? requestHash({ name: input.name, permissions, accounts, allowedIps, expiresAt }) : undefined;
      return ctx.db.transaction(async (trx) => {
        const org = principal.organizationId;
        if (idempotencyKey && hash) {
          const claimed = await idempotencyRepo.claim(trx, { organization_id: org, principal_id: principal.id, key: idempotencyKey, request_hash: hash });
          if (!claimed) {
            const existing = await idempotencyRepo.find(trx, org, principal.id, idempotencyKey);
            if (!existing || existing.request_hash !== hash || !existing.api_key_id) throw errors.idempotencyKeyReused();
            const key = await findInOrg(trx, caller, existing.api_key_id);
            // A replay hands out the secret again, so it is audited like a reveal, and never for a
            // key archived since (its secret must not circulate any more).
            if (key.is_archived) throw errors.apiKeyArchived('The key this Idempotency-Key created has been archived since; its secret is not replayed.');
            await recordAudit(trx, {
              organizationId: key.organization_id,
              actor: principal,
              action: 'api_key.secret_revealed',
              entity: { type: 'api_key', id: key.id },
              changes: { revealed_by: { type: principal.type, id: principal.id }, via: 'idempotent_replay' },
              requestId: caller.requestId,
            });
            return { key: withSecret(key), replayed: true };
          }
        }
        const id = newId('apiKey');
        const secret = generateSecret('api_key');
        const key = await apiKeysRepo.insert(trx, {
          id,
          organization_id: org,
          name: input.name,
          prefix: secretPrefix(secret),
          permissions,
          internal_account_ids: accounts,
          allowed_ips: allowedIps,
          expires_at: expiresAt,
          created_by_type: principal.type,
          created_by_id: principal.id,
          lookup_hash: ctx.keyring.lookupHash(secret),
          secret_ciphertext: ctx.keyring.encrypt(secret, id),
        });
        if (idempotencyKey) {
          await idempotencyRepo.attach(trx, { organization_id: org, principal_id: principal.id, key: idempotencyKey, api_key_id: id });
          await idempotencyRepo.prune(trx, org);
        }
        await recordAudit(trx, {
          organizationId: org,
          actor: principal,
          action: 'api_key.created',
          entity: { type: 'api_key', id },
          changes: { after: serializeApiKey(key) },
          requestId: caller.requestId,
        });
        return { key: { ...serializeApiKey(key), secret }, replayed: false };
      });
    },

    async list(caller: Caller, q: { per_page: number; after_cursor?: string; include_archived: boolean; name?: string }): Promise<Page<SerializedApiKey>> {
      const page = await apiKeysRepo.list(ctx.db, caller.principal.organizationId, {
        afterSeq: decodeCursor(q.after_cursor),
        limit: q.per_page,
        includeArchived: q.include_archived,
        name: q.name,
      });
      return { data: page.data.map(serializeApiKey), next_cursor: page.next_cursor };
    },

    async get(caller: Caller, id: string): Promise<SerializedApiKey> {
      return serializeApiKey(await findInOrg(ctx.db, caller, id));
    },

    async update(caller: Caller, id: string, patch: Record<string, unknown>): Promise<SerializedApiKey> {
      return ctx.db.transaction(async (trx) => {
        const key = await findInOrg(trx, caller, id, true);
        const immutable = ['permissions', 'internal_account_ids', 'expires_at'].filter((f) => f in patch);
        if (immutable.length) throw errors.permissionsImmutable(immutable);
        assertCovers(caller.principal, key.permissions, key.internal_account_ids);
        if (key.is_archived) throw errors.apiKeyArchived();
        const changes: { name?: string; allowed_ips?: string[] } = {};
        if (typeof patch.name === 'string' && patch.name !== key.name) changes.name = patch.name;
        if (Array.isArray(patch.allowed_ips)) {
          const ips = canonicalIps(patch.allowed_ips as string[]);
          if (JSON.stringify(ips) !== JSON.stringify(key.allowed_ips)) {
            assertWithinCallerLimits(caller.principal, ips, undefined);
            changes.allowed_ips = ips;
          }
        }
        if (Object.keys(changes).length === 0) return serializeApiKey(key);
        const updated = await apiKeysRepo.update(trx, key.organization_id, key.id, changes);
        const base = { organizationId: key.organization_id, actor: caller.principal, entity: { type: 'api_key' as const, id: key.id }, requestId: caller.requestId };
        if (changes.name !== undefined) {
          await recordAudit(trx, { ...base, action: 'api_key.renamed', changes: { before: { name: key.name }, after: { name: updated.name } } });
        }
        if (changes.allowed_ips !== undefined) {
          await recordAudit(trx, { ...base, action: 'api_key.allowed_ips_changed', changes: { before: { allowed_ips: key.allowed_ips }, after: { allowed_ips: updated.allowed_ips } } });
        }
        return serializeApiKey(updated);
      });
    },

    async archive(caller: Caller, id: string, graceSeconds: number): Promise<SerializedApiKey> {
      return ctx.db.transaction(async (trx) => {
        const key = await findInOrg(trx, caller, id, true);
        // Like edit and reveal: a weaker key must not be able to switch off a stronger one.
        assertCovers(caller.principal, key.permissions, key.internal_account_ids);
        if (key.is_archived) throw errors.apiKeyArchived('The key is already archived.');
        const updated = await apiKeysRepo.scheduleArchive(trx, key.organization_id, key.id, graceSeconds);
        const changed = key.archived_at?.getTime() !== updated.archived_at?.getTime();
        if (changed) {
          await recordAudit(trx, {
            organizationId: key.organization_id,
            actor: caller.principal,
            action: updated.is_archived ? 'api_key.archived' : 'api_key.archive_scheduled',
            entity: { type: 'api_key', id: key.id },
            changes: { before: { archived_at: key.archived_at?.toISOString() ?? null }, after: { archived_at: updated.archived_at?.toISOString() ?? null } },
            requestId: caller.requestId,
          });
        }
        return serializeApiKey(updated);
      });
    },

    async reveal(caller: Caller, id: string) {
      return ctx.db.transaction(async (trx) => {
        const key = await findInOrg(trx, caller, id);
        assertCovers(caller.principal, key.permissions, key.internal_account_ids);
        await recordAudit(trx, {
          organizationId: key.organization_id,
          actor: caller.principal,
          action: 'api_key.secret_revealed',
          entity: { type: 'api_key', id: key.id },
          changes: { revealed_by: { type: caller.principal.type, id: caller.principal.id } },
          requestId: caller.requestId,
        });
        return withSecret(key);
      });
    },

    async requestLogs(
      caller: Caller,
      id: string,
      q: { per_page: number; after_cursor?: string; status?: number; method?: string; source?: string; since?: string; until?: string },
    ) {
      const key = await findInOrg(ctx.db, caller, id);
      const page = await requestLogsRepo.list(ctx.db, key.id, { ...q, beforeSeq: decodeCursor(q.after_cursor), limit: q.per_page });
      return { data: page.data.map(serializeRequestLog), next_cursor: page.next_cursor };
    },

    async auditEvents(caller: Caller, id: string, q: { per_page: number; after_cursor?: string }) {
      const key = await findInOrg(ctx.db, caller, id);
      const page = await auditEventsRepo.list(ctx.db, key.organization_id, { beforeSeq: decodeCursor(q.after_cursor), limit: q.per_page, involving: key.id });
      return { data: page.data.map(serializeAuditEvent), next_cursor: page.next_cursor };
    },
  };
}

export type ApiKeysService = ReturnType<typeof apiKeysService>;
