import { randomBytes } from 'node:crypto';

// Typed, prefixed identifiers: `<prefix>_<ULID in lower-case Crockford base32>` (time-ordered).
export const ID_PREFIXES = {
  organization: 'org',
  user: 'usr',
  userToken: 'tok',
  apiKey: 'key',
  auditEvent: 'aud',
  requestLog: 'rql',
  request: 'req',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type OrganizationId = `org_${string}`;
export type UserId = `usr_${string}`;
export type UserTokenId = `tok_${string}`;
export type ApiKeyId = `key_${string}`;
export type AuditEventId = `aud_${string}`;
export type RequestLogId = `rql_${string}`;
export type RequestId = `req_${string}`;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i]! % 32];
  return time + rand;
}

export function newId<K extends IdKind>(kind: K): `${(typeof ID_PREFIXES)[K]}_${string}` {
  return `${ID_PREFIXES[kind]}_${ulid()}` as `${(typeof ID_PREFIXES)[K]}_${string}`;
}

export function isId(kind: IdKind, value: unknown): boolean {
  return typeof value === 'string' && new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-z]{26}$`).test(value);
}
