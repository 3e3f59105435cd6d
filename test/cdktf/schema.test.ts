import { keyplaneProvider } from '../../provider/src/keyplane/provider';
import {
  ApiKey,
  DataKeyplaneApiKey,
  DataKeyplaneApiKeys,
  DataKeyplaneApiKeysKeysOutputReference,
  DataKeyplanePermissions,
  DataKeyplanePermissionsResourcesOutputReference,
  KeyplaneProvider,
} from '../../provider/cdktf/src';

// The bindings are hand-written in the shape `cdktf get` generates; this keeps them bound to
// exactly the attribute names (and configurable vs. computed) of the provider's schema.

type AttributeSpec = { readonly required?: boolean; readonly optional?: boolean; readonly computed?: boolean; readonly type: any };
type Attributes = Readonly<Record<string, AttributeSpec>>;

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** What a binding class exposes: attribute getters, and the configurable ones (with an `…Input` getter). */
function bindingShape(cls: { prototype: object }) {
  const getters = Object.entries(Object.getOwnPropertyDescriptors(cls.prototype))
    .filter(([name, d]) => d.get !== undefined && name !== 'internalValue')
    .map(([name]) => name);
  return {
    attributes: getters.filter((name) => !name.endsWith('Input')).sort(),
    configurable: getters.filter((name) => name.endsWith('Input')).map((name) => name.slice(0, -'Input'.length)).sort(),
  };
}

function schemaShape(attributes: Attributes, extra: string[] = []) {
  return {
    attributes: [...Object.keys(attributes).map(camel), ...extra].sort(),
    configurable: [
      ...Object.entries(attributes).filter(([, a]) => a.required || a.optional).map(([name]) => camel(name)),
      ...extra,
    ].sort(),
  };
}

function objectAttributes(type: any): Attributes {
  expect(type.kind).toBe('list');
  expect(type.element.kind).toBe('object');
  return Object.fromEntries(Object.keys(type.element.attributes).map((name) => [name, { computed: true, type: type.element.attributes[name] }]));
}

const spec = keyplaneProvider.spec;
const resource = (name: string) => spec.resources!.find((r) => r.typeName === name)!;
const dataSource = (name: string) => spec.dataSources!.find((d) => d.typeName === name)!;

describe('bindings match the provider schema', () => {
  it('KeyplaneProvider', () => {
    // `alias` is the provider meta-argument every binding has.
    expect(bindingShape(KeyplaneProvider)).toEqual(schemaShape(spec.schema!.attributes as Attributes, ['alias']));
  });

  it('ApiKey', () => {
    expect(bindingShape(ApiKey)).toEqual(schemaShape(resource(ApiKey.tfResourceType).attributes as Attributes));
  });

  it('DataKeyplaneApiKey', () => {
    expect(bindingShape(DataKeyplaneApiKey)).toEqual(schemaShape(dataSource(DataKeyplaneApiKey.tfResourceType).attributes as Attributes));
  });

  it('DataKeyplaneApiKeys and each of its keys', () => {
    const attributes = dataSource(DataKeyplaneApiKeys.tfResourceType).attributes as Attributes;
    expect(bindingShape(DataKeyplaneApiKeys)).toEqual(schemaShape(attributes));
    expect(bindingShape(DataKeyplaneApiKeysKeysOutputReference)).toEqual(schemaShape(objectAttributes(attributes.keys.type)));
  });

  it('DataKeyplanePermissions and each of its resources', () => {
    const attributes = dataSource(DataKeyplanePermissions.tfResourceType).attributes as Attributes;
    expect(bindingShape(DataKeyplanePermissions)).toEqual(schemaShape(attributes));
    expect(bindingShape(DataKeyplanePermissionsResourcesOutputReference)).toEqual(schemaShape(objectAttributes(attributes.resources.type)));
  });

  it('covers every resource and data source; the ephemeral resource is left out on purpose', () => {
    expect(spec.resources!.map((r) => r.typeName)).toEqual(['keyplane_api_key']);
    expect(spec.dataSources!.map((d) => d.typeName).sort()).toEqual(['keyplane_api_key', 'keyplane_api_keys', 'keyplane_permissions']);
    // cdktf 0.21 has no ephemeral block: see provider/cdktf/README.md.
    expect(spec.ephemeralResources!.map((e) => e.typeName)).toEqual(['keyplane_api_key_secret']);
  });
});
