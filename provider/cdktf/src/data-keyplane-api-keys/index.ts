// Hand-written in the shape `cdktf get` generates for prebuilt providers, from the provider's
// `keyplane_api_keys` data source. Keep it in step with the provider schema.

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface DataKeyplaneApiKeysConfig extends cdktf.TerraformMetaArguments {
  /**
  * Also list archived keys.
  */
  readonly includeArchived?: boolean | cdktf.IResolvable;
  /**
  * Only keys whose name equals this value exactly.
  */
  readonly name?: string;
}
export interface DataKeyplaneApiKeysKeys {
}

export function dataKeyplaneApiKeysKeysToTerraform(struct?: DataKeyplaneApiKeysKeys): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
  }
}


export function dataKeyplaneApiKeysKeysToHclTerraform(struct?: DataKeyplaneApiKeysKeys): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
  };
  return attrs;
}

export class DataKeyplaneApiKeysKeysOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param complexObjectIndex the index of this item in the list
  * @param complexObjectIsFromSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string, complexObjectIndex: number, complexObjectIsFromSet: boolean) {
    super(terraformResource, terraformAttribute, complexObjectIsFromSet, complexObjectIndex);
  }

  public get internalValue(): DataKeyplaneApiKeysKeys | undefined {
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: DataKeyplaneApiKeysKeys | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
    }
  }

  // allowed_ips - computed: true, optional: false, required: false
  public get allowedIps() {
    return cdktf.Fn.tolist(this.getListAttribute('allowed_ips'));
  }

  // archived_at - computed: true, optional: false, required: false
  public get archivedAt() {
    return this.getStringAttribute('archived_at');
  }

  // created_at - computed: true, optional: false, required: false
  public get createdAt() {
    return this.getStringAttribute('created_at');
  }

  // expires_at - computed: true, optional: false, required: false
  public get expiresAt() {
    return this.getStringAttribute('expires_at');
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // internal_account_ids - computed: true, optional: false, required: false
  public get internalAccountIds() {
    return cdktf.Fn.tolist(this.getListAttribute('internal_account_ids'));
  }

  // last_used_at - computed: true, optional: false, required: false
  public get lastUsedAt() {
    return this.getStringAttribute('last_used_at');
  }

  // name - computed: true, optional: false, required: false
  public get name() {
    return this.getStringAttribute('name');
  }

  // organization_id - computed: true, optional: false, required: false
  public get organizationId() {
    return this.getStringAttribute('organization_id');
  }

  // permissions - computed: true, optional: false, required: false
  public get permissions() {
    return cdktf.Fn.tolist(this.getListAttribute('permissions'));
  }

  // prefix - computed: true, optional: false, required: false
  public get prefix() {
    return this.getStringAttribute('prefix');
  }

  // status - computed: true, optional: false, required: false
  public get status() {
    return this.getStringAttribute('status');
  }
}

export class DataKeyplaneApiKeysKeysList extends cdktf.ComplexList {

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param wrapsSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string, wrapsSet: boolean) {
    super(terraformResource, terraformAttribute, wrapsSet)
  }

  /**
  * @param index the index of the item to return
  */
  public get(index: number): DataKeyplaneApiKeysKeysOutputReference {
    return new DataKeyplaneApiKeysKeysOutputReference(this.terraformResource, this.terraformAttribute, index, this.wrapsSet);
  }
}

/**
* Represents a keyplane_api_keys data source
*/
export class DataKeyplaneApiKeys extends cdktf.TerraformDataSource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "keyplane_api_keys";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a DataKeyplaneApiKeys resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the DataKeyplaneApiKeys to import
  * @param importFromId The id of the existing DataKeyplaneApiKeys that should be imported
  * @param provider? Optional instance of the provider where the DataKeyplaneApiKeys to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
    return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "keyplane_api_keys", importId: importFromId, provider });
  }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new keyplane_api_keys Data Source
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options DataKeyplaneApiKeysConfig = {}
  */
  public constructor(scope: Construct, id: string, config: DataKeyplaneApiKeysConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'keyplane_api_keys',
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
    this._includeArchived = config.includeArchived;
    this._name = config.name;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // include_archived - computed: false, optional: true, required: false
  private _includeArchived?: boolean | cdktf.IResolvable;
  public get includeArchived() {
    return this.getBooleanAttribute('include_archived');
  }
  public set includeArchived(value: boolean | cdktf.IResolvable) {
    this._includeArchived = value;
  }
  public resetIncludeArchived() {
    this._includeArchived = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get includeArchivedInput() {
    return this._includeArchived;
  }

  // keys - computed: true, optional: false, required: false
  private _keys = new DataKeyplaneApiKeysKeysList(this, "keys", false);
  public get keys() {
    return this._keys;
  }

  // name - computed: false, optional: true, required: false
  private _name?: string;
  public get name() {
    return this.getStringAttribute('name');
  }
  public set name(value: string) {
    this._name = value;
  }
  public resetName() {
    this._name = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get nameInput() {
    return this._name;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      include_archived: cdktf.booleanToTerraform(this._includeArchived),
      name: cdktf.stringToTerraform(this._name),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      include_archived: {
        value: cdktf.booleanToHclTerraform(this._includeArchived),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
