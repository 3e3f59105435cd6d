// Hand-written in the shape `cdktf get` generates for prebuilt providers, from the
// `keyplane_api_key` schema in docs/architecture.md. Keep it in step with that schema.

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface ApiKeyConfig extends cdktf.TerraformMetaArguments {
  /**
  * Addresses and CIDR blocks the key may be used from (`10.0.0.1` and `10.0.0.1/32` are the same). Empty = any address. Updates in place.
  */
  readonly allowedIps?: string[];
  /**
  * On destroy, keep the key working for this Go duration (for example `24h`, at most `720h`) and archive it then, instead of at once.
  */
  readonly archiveGracePeriod?: string;
  /**
  * When the key stops authenticating (RFC 3339). Changing it forces replacement.
  */
  readonly expiresAt?: string;
  /**
  * Restricts the account-scoped permissions to these internal account IDs. Empty = every account. Changing it forces replacement.
  */
  readonly internalAccountIds?: string[];
  /**
  * A human name for the key. Updates in place.
  */
  readonly name: string;
  /**
  * A set of `resource:action` permissions, validated against the catalog. Changing them forces replacement.
  */
  readonly permissions: string[];
}

/**
* Represents a keyplane_api_key resource
*/
export class ApiKey extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "keyplane_api_key";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a ApiKey resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the ApiKey to import
  * @param importFromId The id of the existing ApiKey that should be imported: the key ID (`key_…`). Importing fetches the secret, which records a secret-retrieval audit event.
  * @param provider? Optional instance of the provider where the ApiKey to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
    return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "keyplane_api_key", importId: importFromId, provider });
  }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new keyplane_api_key Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options ApiKeyConfig
  */
  public constructor(scope: Construct, id: string, config: ApiKeyConfig) {
    super(scope, id, {
      terraformResourceType: 'keyplane_api_key',
      terraformGeneratorMetadata: {
        providerName: 'keyplane',
      },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach
    });
    this._allowedIps = config.allowedIps;
    this._archiveGracePeriod = config.archiveGracePeriod;
    this._expiresAt = config.expiresAt;
    this._internalAccountIds = config.internalAccountIds;
    this._name = config.name;
    this._permissions = config.permissions;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // allowed_ips - computed: true, optional: true, required: false
  private _allowedIps?: string[];
  public get allowedIps() {
    return cdktf.Fn.tolist(this.getListAttribute('allowed_ips'));
  }
  public set allowedIps(value: string[]) {
    this._allowedIps = value;
  }
  public resetAllowedIps() {
    this._allowedIps = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get allowedIpsInput() {
    return this._allowedIps;
  }

  // archive_grace_period - computed: false, optional: true, required: false
  private _archiveGracePeriod?: string;
  public get archiveGracePeriod() {
    return this.getStringAttribute('archive_grace_period');
  }
  public set archiveGracePeriod(value: string) {
    this._archiveGracePeriod = value;
  }
  public resetArchiveGracePeriod() {
    this._archiveGracePeriod = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get archiveGracePeriodInput() {
    return this._archiveGracePeriod;
  }

  // created_at - computed: true, optional: false, required: false
  public get createdAt() {
    return this.getStringAttribute('created_at');
  }

  // expires_at - computed: false, optional: true, required: false
  private _expiresAt?: string;
  public get expiresAt() {
    return this.getStringAttribute('expires_at');
  }
  public set expiresAt(value: string) {
    this._expiresAt = value;
  }
  public resetExpiresAt() {
    this._expiresAt = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get expiresAtInput() {
    return this._expiresAt;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // internal_account_ids - computed: true, optional: true, required: false
  private _internalAccountIds?: string[];
  public get internalAccountIds() {
    return cdktf.Fn.tolist(this.getListAttribute('internal_account_ids'));
  }
  public set internalAccountIds(value: string[]) {
    this._internalAccountIds = value;
  }
  public resetInternalAccountIds() {
    this._internalAccountIds = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get internalAccountIdsInput() {
    return this._internalAccountIds;
  }

  // last_used_at - computed: true, optional: false, required: false
  public get lastUsedAt() {
    return this.getStringAttribute('last_used_at');
  }

  // name - computed: false, optional: false, required: true
  private _name?: string;
  public get name() {
    return this.getStringAttribute('name');
  }
  public set name(value: string) {
    this._name = value;
  }
  // Temporarily expose input value. Use with caution.
  public get nameInput() {
    return this._name;
  }

  // organization_id - computed: true, optional: false, required: false
  public get organizationId() {
    return this.getStringAttribute('organization_id');
  }

  // permissions - computed: false, optional: false, required: true
  private _permissions?: string[];
  public get permissions() {
    return cdktf.Fn.tolist(this.getListAttribute('permissions'));
  }
  public set permissions(value: string[]) {
    this._permissions = value;
  }
  // Temporarily expose input value. Use with caution.
  public get permissionsInput() {
    return this._permissions;
  }

  // prefix - computed: true, optional: false, required: false
  public get prefix() {
    return this.getStringAttribute('prefix');
  }

  // secret - computed: true, optional: false, required: false, sensitive: true
  public get secret() {
    return this.getStringAttribute('secret');
  }

  // status - computed: true, optional: false, required: false
  public get status() {
    return this.getStringAttribute('status');
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      allowed_ips: cdktf.listMapper(cdktf.stringToTerraform, false)(this._allowedIps),
      archive_grace_period: cdktf.stringToTerraform(this._archiveGracePeriod),
      expires_at: cdktf.stringToTerraform(this._expiresAt),
      internal_account_ids: cdktf.listMapper(cdktf.stringToTerraform, false)(this._internalAccountIds),
      name: cdktf.stringToTerraform(this._name),
      permissions: cdktf.listMapper(cdktf.stringToTerraform, false)(this._permissions),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      allowed_ips: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._allowedIps),
        isBlock: false,
        type: "set",
        storageClassType: "stringList",
      },
      archive_grace_period: {
        value: cdktf.stringToHclTerraform(this._archiveGracePeriod),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      expires_at: {
        value: cdktf.stringToHclTerraform(this._expiresAt),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      internal_account_ids: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._internalAccountIds),
        isBlock: false,
        type: "set",
        storageClassType: "stringList",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      permissions: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._permissions),
        isBlock: false,
        type: "set",
        storageClassType: "stringList",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
