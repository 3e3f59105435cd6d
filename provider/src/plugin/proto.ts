/**
 * Loads the plugin's .proto definitions at runtime with @grpc/proto-loader.
 *
 * The files live in `<repo>/provider/proto`. They are located by walking up
 * from this module's directory, so the same code works from the TypeScript
 * sources (ts-jest, tsx) and from the compiled `dist/` tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_FILES = ['tfplugin6.proto', 'plugin.proto', 'health.proto'];

/** Absolute path of the directory holding tfplugin6.proto. */
export function findProtoDir(start: string = __dirname): string {
  const override = process.env.KEYPLANE_PLUGIN_PROTO_DIR;
  if (override) return path.resolve(override);
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'provider', 'proto');
    if (fs.existsSync(path.join(candidate, 'tfplugin6.proto'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find provider/proto/tfplugin6.proto in any parent directory of ${start}`);
    }
    dir = parent;
  }
}

export interface PluginProtos {
  Provider: grpc.ServiceDefinition;
  GRPCController: grpc.ServiceDefinition;
  GRPCStdio: grpc.ServiceDefinition;
  GRPCBroker: grpc.ServiceDefinition;
  Health: grpc.ServiceDefinition;
  /** Client constructor for the Provider service (used by tests and tools). */
  ProviderClient: grpc.ServiceClientConstructor;
  GRPCControllerClient: grpc.ServiceClientConstructor;
  GRPCStdioClient: grpc.ServiceClientConstructor;
  HealthClient: grpc.ServiceClientConstructor;
}

let cached: PluginProtos | undefined;

export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  // int64 fields here are schema versions, list indexes and limits: small numbers.
  longs: Number,
  enums: Number,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

export function loadProtos(): PluginProtos {
  if (cached) return cached;
  const dir = findProtoDir();
  const definition = protoLoader.loadSync(
    PROTO_FILES.map((f) => path.join(dir, f)),
    { ...PROTO_LOADER_OPTIONS, includeDirs: [dir] },
  );
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    tfplugin6: { Provider: grpc.ServiceClientConstructor };
    plugin: {
      GRPCController: grpc.ServiceClientConstructor;
      GRPCStdio: grpc.ServiceClientConstructor;
      GRPCBroker: grpc.ServiceClientConstructor;
    };
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  cached = {
    Provider: pkg.tfplugin6.Provider.service,
    GRPCController: pkg.plugin.GRPCController.service,
    GRPCStdio: pkg.plugin.GRPCStdio.service,
    GRPCBroker: pkg.plugin.GRPCBroker.service,
    Health: pkg.grpc.health.v1.Health.service,
    ProviderClient: pkg.tfplugin6.Provider,
    GRPCControllerClient: pkg.plugin.GRPCController,
    GRPCStdioClient: pkg.plugin.GRPCStdio,
    HealthClient: pkg.grpc.health.v1.Health,
  };
  return cached;
}
