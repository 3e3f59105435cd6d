import type { DevelopersPermission, UserRole } from '../domain/permissions';
import type { ApiKeyRow } from '../repositories/api-keys';

export interface UserPrincipal {
  readonly type: 'user';
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly role: UserRole;
  readonly developersPermission: DevelopersPermission;
  readonly permissions: readonly string[];
  /** Users are never restricted by account. */
  readonly internalAccountIds: readonly string[];
}

export interface ApiKeyPrincipal {
  readonly type: 'api_key';
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly permissions: readonly string[];
  readonly internalAccountIds: readonly string[];
  readonly key: ApiKeyRow;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

export function actorOf(p: Principal): { actor_type: 'user' | 'api_key'; actor_id: string } {
  return { actor_type: p.type, actor_id: p.id };
}
