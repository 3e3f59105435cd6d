import type { Knex } from 'knex';

// Organizations, users and their tokens, API keys, idempotency records, the audit trail and the
// request log. Append-only: later changes go in new numbered files, never here.
const statements = [
  `
    create table organizations (
      id text primary key,
      name text not null,
      created_at timestamptz not null default now()
    )
  `,
  `
    create table users (
      id text primary key,
      seq bigserial not null unique,
      organization_id text not null references organizations(id),
      email text not null,
      role text not null check (role in ('admin', 'member')),
      developers_permission text not null check (developers_permission in ('none', 'view', 'manage')),
      created_at timestamptz not null default now()
    )
  `,
  `
    create unique index users_organization_email on users (organization_id, lower(email))
  `,
  `
    create index users_organization_seq on users (organization_id, seq)
  `,
  `
    create table user_tokens (
      id text primary key,
      organization_id text not null references organizations(id),
      user_id text not null references users(id),
      name text not null,
      lookup_hash bytea not null unique,
      expires_at timestamptz,
      created_at timestamptz not null default now(),
      created_by_type text check (created_by_type in ('user', 'api_key')),
      created_by_id text
    )
  `,
  `
    create table api_keys (
      id text primary key,
      seq bigserial not null unique,
      organization_id text not null references organizations(id),
      name text not null,
      prefix text not null,
      permissions text[] not null,
      internal_account_ids text[] not null default '{}',
      allowed_ips cidr[] not null default '{}',
      expires_at timestamptz,
      archived_at timestamptz,
      created_at timestamptz not null default now(),
      created_by_type text not null check (created_by_type in ('user', 'api_key')),
      created_by_id text not null,
      last_used_at timestamptz,
      lookup_hash bytea not null unique,
      secret_ciphertext bytea not null
    )
  `,
  `
    create index api_keys_organization_seq on api_keys (organization_id, seq)
  `,
  `
    create table idempotency_keys (
      organization_id text not null references organizations(id),
      principal_id text not null,
      key text not null,
      request_hash text not null,
      api_key_id text references api_keys(id),
      created_at timestamptz not null default now(),
      primary key (organization_id, principal_id, key)
    )
  `,
  `
    create index idempotency_keys_created_at on idempotency_keys (created_at)
  `,
  `
    create table audit_events (
      id text primary key,
      seq bigserial not null unique,
      organization_id text not null references organizations(id),
      occurred_at timestamptz not null default now(),
      action text not null,
      actor_type text check (actor_type in ('user', 'api_key')),
      actor_id text,
      entity_type text not null check (entity_type in ('organization', 'user', 'user_token', 'api_key')),
      entity_id text not null,
      changes jsonb,
      request_id text
    )
  `,
  `
    create index audit_events_organization_seq on audit_events (organization_id, seq)
  `,
  `
    create index audit_events_entity on audit_events (organization_id, entity_id, seq)
  `,
  `
    create index audit_events_actor on audit_events (organization_id, actor_id, seq)
  `,
  `
    -- The audit trail is append-only, also for anyone with a SQL prompt.
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only';
    end
    $$
  `,
  `
    create trigger audit_events_no_update before update or delete on audit_events
      for each row execute function audit_events_append_only()
  `,
  `
    create table request_logs (
      id text primary key,
      seq bigserial not null unique,
      organization_id text not null references organizations(id),
      api_key_id text not null references api_keys(id),
      source text not null check (source in ('control_plane', 'authorization')),
      occurred_at timestamptz not null,
      method text,
      path text,
      status integer not null,
      client_ip inet,
      user_agent text,
      request_id text,
      duration_ms double precision not null,
      decision_reason text
    )
  `,
  `
    create index request_logs_key_seq on request_logs (api_key_id, seq)
  `,
];

export async function up(db: Knex): Promise<void> {
  // One statement per call: the embedded driver runs prepared statements, which take one at a time.
  for (const sql of statements) await db.raw(sql);
}

export async function down(): Promise<void> {
  throw new Error('0001_initial_schema cannot be reverted');
}
