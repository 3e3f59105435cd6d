import { Construct } from 'constructs';
import { ApiKey } from './api-key';
import { gracePeriodProblems } from './duration';
import { Permissions } from './permissions';
import { KeyplaneProvider } from './provider';

/** What every key construct takes. */
export interface KeyOptions {
  /**
   * A human name for the key. Changing it updates the key in place.
   */
  readonly name: string;

  /**
   * What the key may do, built with `Permissions`. Checked against the permission catalog at synth
   * time. Permissions never change after a key is created: changing them replaces the key.
   */
  readonly permissions: Permissions;

  /**
   * Addresses and CIDR blocks (IPv4 or IPv6) the key may be used from. Changing them updates the
   * key in place.
   *
   * @default - any address
   */
  readonly allowedIps?: string[];

  /**
   * When the key stops authenticating, as an RFC 3339 timestamp in the future. Changing it
   * replaces the key.
   *
   * @default - the key never expires
   */
  readonly expiresAt?: string;

  /**
   * How long the key keeps working after Terraform destroys it (replacement included), as a Go
   * duration such as `24h` (at most `720h`); it is archived when the period ends. Stored in state,
   * so it must be applied before the destroy or replacement it should apply to.
   *
   * @default - the key is archived at once when destroyed
   */
  readonly gracePeriod?: string;

  /**
   * The Keyplane provider to manage the key with.
   *
   * @default - the stack's default (unaliased) `keyplane` provider
   */
  readonly provider?: KeyplaneProvider;
}

export interface PermissionedKeyProps extends KeyOptions {
  /**
   * Create the replacement before archiving the old key when a change forces replacement (new
   * permissions, account restriction or expiry), so that for a while both exist.
   *
   * @default false
   */
  readonly createBeforeDestroy?: boolean;
}

/**
 * A Keyplane API key with permissions built from typed parts and checked at synth time.
 *
 * Construct ids are part of the public contract: the key is the child `Resource`, so its
 * Terraform address is derived from this construct's path and stays the same as long as the path
 * does. Renaming or moving the construct changes the address, and Terraform then replaces the key.
 */
export class PermissionedKey extends Construct {
  /** The construct id of the `keyplane_api_key` child. */
  public static readonly RESOURCE_ID = 'Resource';

  /** The `keyplane_api_key` resource, for anything the construct does not expose. */
  public readonly resource: ApiKey;

  public constructor(scope: Construct, id: string, props: PermissionedKeyProps) {
    super(scope, id);
    this.resource = new ApiKey(this, PermissionedKey.RESOURCE_ID, {
      name: props.name,
      permissions: props.permissions.permissions,
      internalAccountIds: props.permissions.internalAccountIds,
      allowedIps: props.allowedIps,
      expiresAt: props.expiresAt,
      archiveGracePeriod: props.gracePeriod,
      provider: props.provider,
      lifecycle: props.createBeforeDestroy ? { createBeforeDestroy: true } : undefined,
    });
    this.node.addValidation({
      validate: () => [...props.permissions.validate(), ...gracePeriodProblems(props.gracePeriod)],
    });
  }

  /** The key ID (`key_…`). */
  public get id(): string {
    return this.resource.id;
  }

  /**
   * The key's secret. Sensitive: Terraform keeps it in state (encrypt or protect the state) and
   * hides it in plans; mark outputs that use it `sensitive`.
   */
  public get secret(): string {
    return this.resource.secret;
  }

  /** The first characters of the secret, to recognise it without revealing it. */
  public get prefix(): string {
    return this.resource.prefix;
  }

  /** `active` or `archived`. */
  public get status(): string {
    return this.resource.status;
  }

  /** When the key was created (RFC 3339). */
  public get createdAt(): string {
    return this.resource.createdAt;
  }

  /** The organization the key belongs to (`org_…`). */
  public get organizationId(): string {
    return this.resource.organizationId;
  }
}
