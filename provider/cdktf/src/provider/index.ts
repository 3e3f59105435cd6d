// Hand-written in the shape `cdktf get` generates for prebuilt providers, from the provider schema
// in docs/architecture.md, so that users never run `cdktf get`. Keep it in step with that schema.

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

export interface KeyplaneProviderConfig {
  /**
  * The control plane's base URL, for example `https://keyplane.example.com`. Falls back to `KEYPLANE_ENDPOINT`.
  */
  readonly endpoint?: string;
  /**
  * The organization ID (`org_…`) the key authenticates for. Falls back to `KEYPLANE_ORGANIZATION_ID`.
  */
  readonly organizationId?: string;
  /**
  * The secret of a key holding `api_keys:write` (and every permission it should grant). Sensitive.
  * Falls back to `KEYPLANE_API_KEY`. A literal value here is written to the synthesized JSON:
  * prefer the environment variable or a sensitive `TerraformVariable`.
  */
  readonly apiKey?: string;
  /**
  * Alias name
  */
  readonly alias?: string;
  /**
  * Version constraint for `keyplane/keyplane` in `required_providers`, for example `~> 0.1`.
  * Not a provider attribute: it only ends up in the `terraform` block.
  *
  * @default - no constraint (any installed version)
  */
  readonly versionConstraint?: string;
}

/**
* Represents the keyplane provider (source `keyplane/keyplane`)
*/
export class KeyplaneProvider extends cdktf.TerraformProvider {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "keyplane";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a KeyplaneProvider resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the KeyplaneProvider to import
  * @param importFromId The id of the existing KeyplaneProvider that should be imported
  * @param provider? Optional instance of the provider where the KeyplaneProvider to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
    return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "keyplane", importId: importFromId, provider });
  }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new keyplane provider
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options KeyplaneProviderConfig = {}
  */
  public constructor(scope: Construct, id: string, config: KeyplaneProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'keyplane',
      terraformGeneratorMetadata: {
        providerName: 'keyplane',
        providerVersionConstraint: config.versionConstraint,
      },
      terraformProviderSource: 'keyplane/keyplane',
    });
    this._endpoint = config.endpoint;
    this._organizationId = config.organizationId;
    this._apiKey = config.apiKey;
    this._alias = config.alias;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // api_key - computed: false, optional: true, required: false, sensitive: true
  private _apiKey?: string;
  public get apiKey() {
    return this._apiKey;
  }
  public set apiKey(value: string | undefined) {
    this._apiKey = value;
  }
  public resetApiKey() {
    this._apiKey = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get apiKeyInput() {
    return this._apiKey;
  }

  // endpoint - computed: false, optional: true, required: false
  private _endpoint?: string;
  public get endpoint() {
    return this._endpoint;
  }
  public set endpoint(value: string | undefined) {
    this._endpoint = value;
  }
  public resetEndpoint() {
    this._endpoint = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get endpointInput() {
    return this._endpoint;
  }

  // organization_id - computed: false, optional: true, required: false
  private _organizationId?: string;
  public get organizationId() {
    return this._organizationId;
  }
  public set organizationId(value: string | undefined) {
    this._organizationId = value;
  }
  public resetOrganizationId() {
    this._organizationId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get organizationIdInput() {
    return this._organizationId;
  }

  // alias - computed: false, optional: true, required: false
  private _alias?: string;
  public override get alias() {
    return this._alias;
  }
  public override set alias(value: string | undefined) {
    this._alias = value;
  }
  public resetAlias() {
    this._alias = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aliasInput() {
    return this._alias;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      api_key: cdktf.stringToTerraform(this._apiKey),
      endpoint: cdktf.stringToTerraform(this._endpoint),
      organization_id: cdktf.stringToTerraform(this._organizationId),
      alias: cdktf.stringToTerraform(this._alias),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      api_key: {
        value: cdktf.stringToHclTerraform(this._apiKey),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      endpoint: {
        value: cdktf.stringToHclTerraform(this._endpoint),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      organization_id: {
        value: cdktf.stringToHclTerraform(this._organizationId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      alias: {
        value: cdktf.stringToHclTerraform(this._alias),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
