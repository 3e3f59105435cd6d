// Typed bindings for the keyplane/keyplane provider, in the layout of prebuilt provider packages.
export * as provider from './provider';
export * as apiKey from './api-key';
export * as dataKeyplaneApiKey from './data-keyplane-api-key';
export * as dataKeyplaneApiKeys from './data-keyplane-api-keys';
export * as dataKeyplanePermissions from './data-keyplane-permissions';

export * from './provider';
export * from './api-key';
export * from './data-keyplane-api-key';
export * from './data-keyplane-api-keys';
export * from './data-keyplane-permissions';

// Higher-level constructs.
export * from './catalog';
export * from './permissions';
export * from './permissioned-key';
export * from './rotating-key';
