/**
 * Process-level plumbing: the go-plugin handshake and the gRPC server that
 * OpenTofu/Terraform talk to.
 *
 * Lifecycle, as go-plugin clients expect it:
 *  - the client starts the binary with TF_PLUGIN_MAGIC_COOKIE, the offered
 *    protocol versions and (AutoMTLS) its client certificate in the environment;
 *  - we listen on a fresh unix socket and print exactly one stdout line
 *    `1|6|unix|<socket>|grpc|<server cert, base64 DER, no padding>`;
 *  - StopProvider cancels in-flight work; GRPCController.Shutdown, SIGTERM or
 *    the parent going away end the process. SIGINT is ignored: Ctrl-C reaches
 *    the whole process group and the client turns it into StopProvider.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';

import { ProviderDefinition } from './framework';
import { Logger, createLogger } from './log';
import { loadProtos } from './proto';
import { PROVIDER_METHODS, ProviderServer, UNIMPLEMENTED_METHODS } from './provider-server';
import { generateSelfSignedCertificate, handshakeCertField, parseClientCertificates } from './tls';

export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
export const CORE_PROTOCOL_VERSION = 1;
export const APP_PROTOCOL_VERSION = 6;
/** Matches terraform-plugin-go servers; grpc-js would otherwise cap received messages at 4 MiB. */
export const MAX_MESSAGE_SIZE = 256 << 20;

const NOT_A_COMMAND_MESSAGE =
  'This binary is a plugin. These are not meant to be executed directly.\n' +
  'Please execute the program that consumes these plugins, which will\n' +
  'load any plugins automatically. Run terraform or tofu (for example\n' +
  '`tofu init` and `tofu plan`) in a configuration that uses this provider.\n';

export class HandshakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandshakeError';
  }
}

export interface ServeOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** How often to check that the parent (OpenTofu) is still alive. */
  parentPollIntervalMs?: number;
}

export interface HandshakeSettings {
  protocolVersion: number;
  socketDir: string;
  socketGroup?: string;
  clientCertPem?: string;
}

/** Validates the environment a go-plugin client provides. Throws HandshakeError. */
export function readHandshakeEnv(env: NodeJS.ProcessEnv): HandshakeSettings {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) throw new HandshakeError(NOT_A_COMMAND_MESSAGE);
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  // The client builds this list from a Go map, so the order is random ("5,6" or "6,5").
  if (offered.length > 0 && !offered.includes(String(APP_PROTOCOL_VERSION))) {
    throw new HandshakeError(
      `This provider speaks plugin protocol version ${APP_PROTOCOL_VERSION}, but the client offered only ` +
        `version(s) ${offered.join(', ')}. Use OpenTofu 1.0+ or Terraform 1.0+.\n`,
    );
  }
  return {
    protocolVersion: APP_PROTOCOL_VERSION,
    socketDir: env.PLUGIN_UNIX_SOCKET_DIR || os.tmpdir(),
    socketGroup: env.PLUGIN_UNIX_SOCKET_GROUP || undefined,
    clientCertPem: env.PLUGIN_CLIENT_CERT && env.PLUGIN_CLIENT_CERT.trim() !== '' ? env.PLUGIN_CLIENT_CERT : undefined,
  };
}

/** Routes console output to the logger: stdout belongs to the handshake. */
function redirectConsole(log: Logger): void {
  const fmt = (args: unknown[]): string =>
    args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : safeInspect(a))).join(' ');
  console.log = (...a: unknown[]) => log.info(fmt(a));
  console.info = (...a: unknown[]) => log.info(fmt(a));
  console.debug = (...a: unknown[]) => log.debug(fmt(a));
  console.warn = (...a: unknown[]) => log.warn(fmt(a));
  console.error = (...a: unknown[]) => log.error(fmt(a));
}

function safeInspect(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

function socketPath(dir: string): string {
  const p = path.join(dir, `plugin${randomBytes(6).toString('hex')}`);
  // sun_path is 108 bytes on Linux, 104 on macOS (including the terminator).
  if (Buffer.byteLength(p) > 103) throw new HandshakeError(`unix socket path too long: ${p}\n`);
  return p;
}

function toServiceError(e: unknown): grpc.ServiceError {
  const err = new Error(e instanceof Error ? e.message : String(e)) as grpc.ServiceError;
  err.code = (e as { code?: number })?.code ?? grpc.status.INTERNAL;
  err.details = err.message;
  err.metadata = new grpc.Metadata();
  return err;
}

/**
 * Builds the Provider service implementation for a grpc-js server: every call
 * gets an AbortSignal that fires on StopProvider or client cancellation.
 */
export function providerServiceImplementation<P>(server: ProviderServer<P>, log: Logger): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const method of PROVIDER_METHODS) {
    impl[method] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const cancel = new AbortController();
      call.on('cancelled', () => cancel.abort(new Error('call cancelled by client')));
      const { signal, done } = server.track(cancel.signal);
      const started = Date.now();
      const fn = (server as unknown as Record<string, (req: unknown, signal: AbortSignal) => Promise<unknown>>)[method];
      fn.call(server, call.request, signal)
        .then(
          (resp) => {
            log.debug('rpc done', { tf_rpc: method, duration_ms: Date.now() - started });
            callback(null, resp);
          },
          (e: unknown) => {
            log.error('rpc failed', { tf_rpc: method, error: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
            callback(toServiceError(e));
          },
        )
        .finally(done);
    }) as grpc.UntypedHandleCall;
  }
  for (const method of UNIMPLEMENTED_METHODS) {
    // Unary and client-streaming handlers get a callback; server/bidi streams report errors by emitting them.
    impl[method] = ((call: { emit: (event: string, value: unknown) => boolean }, callback?: grpc.sendUnaryData<unknown>) => {
      const err = toServiceError(Object.assign(new Error(`${method} is not implemented by this provider`), { code: grpc.status.UNIMPLEMENTED }));
      if (typeof callback === 'function') callback(err);
      else call.emit('error', err);
    }) as grpc.UntypedHandleCall;
  }
  return impl;
}

export interface RunningServer {
  /** Unix socket path. */
  address: string;
  /** The stdout handshake line (without newline). */
  handshakeLine: string;
  /** Stops serving and removes the socket. */
  close(): Promise<void>;
}

/**
 * Starts the gRPC server on a unix socket and returns the handshake line,
 * without touching process-wide state (signals, stdout, exit).
 */
export async function startServer<P>(
  definition: ProviderDefinition<P>,
  settings: HandshakeSettings,
  log: Logger,
  onShutdownRequested: () => void,
): Promise<RunningServer> {
  const protos = loadProtos();
  const providerServer = new ProviderServer(definition, log);

  let credentials: grpc.ServerCredentials;
  let certField = '';
  if (settings.clientCertPem) {
    const clientRoots = parseClientCertificates(settings.clientCertPem);
    const cert = await generateSelfSignedCertificate();
    // Require a client certificate signed by (i.e. equal to) the one the client announced.
    credentials = grpc.ServerCredentials.createSsl(
      clientRoots,
      [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }],
      true,
    );
    certField = handshakeCertField(cert.certDer);
  } else {
    log.warn('PLUGIN_CLIENT_CERT is not set: serving without TLS');
    credentials = grpc.ServerCredentials.createInsecure();
  }

  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_SIZE,
    'grpc.max_send_message_length': MAX_MESSAGE_SIZE,
  });
  server.addService(protos.Provider, providerServiceImplementation(providerServer, log));
  server.addService(protos.GRPCController, {
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      log.debug('shutdown requested by client');
      callback(null, {});
      // Reply first; the client waits up to 2 s for the process to exit.
      setImmediate(onShutdownRequested);
    },
  });
  server.addService(protos.GRPCStdio, {
    // Logs go to stderr directly; an immediately-ended stream is accepted by the client.
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
  });
  server.addService(protos.GRPCBroker, {
    // Providers never broker extra connections; drain input and end our side.
    StartStream: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.on('data', () => undefined);
      call.on('error', () => undefined);
      call.end();
    },
  });
  server.addService(protos.Health, {
    Check: (call: grpc.ServerUnaryCall<{ service?: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const service = call.request?.service ?? '';
      if (service === '' || service === 'plugin') callback(null, { status: 1 /* SERVING */ });
      else callback(toServiceError(Object.assign(new Error(`unknown service ${service}`), { code: grpc.status.NOT_FOUND })));
    },
  });

  const address = socketPath(settings.socketDir);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${address}`, credentials, (err) => (err ? reject(err) : resolve())),
  );
  restrictSocket(address, settings.socketGroup, log);

  const handshakeLine = [CORE_PROTOCOL_VERSION, settings.protocolVersion, 'unix', address, 'grpc', certField].join('|');
  let closed = false;
  return {
    address,
    handshakeLine,
    close: async () => {
      if (closed) return;
      closed = true;
      providerServer.stop();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      removeSocket(address);
    },
  };
}

/** Only the owning user (and, when requested, the given group) may connect. */
function restrictSocket(address: string, group: string | undefined, log: Logger): void {
  try {
    if (group && /^\d+$/.test(group)) {
      fs.chownSync(address, -1, Number(group));
      fs.chmodSync(address, 0o660);
    } else {
      if (group) log.warn('PLUGIN_UNIX_SOCKET_GROUP must be a numeric group id here; ignoring', { group });
      fs.chmodSync(address, 0o600);
    }
  } catch (e) {
    log.warn('could not restrict unix socket permissions', { error: (e as Error).message });
  }
}

function removeSocket(address: string): void {
  try {
    fs.unlinkSync(address);
  } catch {
    // already gone
  }
}

/**
 * Entry point of a provider binary: performs the go-plugin handshake and
 * serves until the client shuts the plugin down. Never returns normally when
 * launched correctly; exits with status 1 (and a message on stderr) when run
 * by hand.
 */
export async function serve<P>(definition: ProviderDefinition<P>, options: ServeOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const log = options.logger ?? createLogger(`provider.terraform-provider-${definition.spec.name}`);

  let settings: HandshakeSettings;
  try {
    settings = readHandshakeEnv(env);
  } catch (e) {
    process.stderr.write(e instanceof HandshakeError ? e.message : `${String(e)}\n`);
    process.exit(1);
  }
  redirectConsole(log);

  let running: RunningServer | undefined;
  let exiting = false;
  const exit = (code: number, reason: string): void => {
    if (exiting) return;
    exiting = true;
    log.debug('plugin exiting', { reason });
    const finish = (): never => process.exit(code);
    if (running) running.close().then(finish, finish);
    else finish();
  };

  // Ctrl-C goes to the whole process group; the client cancels through StopProvider instead.
  process.on('SIGINT', () => log.debug('ignoring SIGINT'));
  process.on('SIGTERM', () => exit(0, 'SIGTERM'));
  process.on('exit', () => {
    if (running) removeSocket(running.address);
  });
  // A client that dies takes the read ends of our pipes with it. EPIPE on a write must neither kill the
  // plugin nor (by logging about it to the same broken pipe) spin the event loop.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  let crashed = false;
  process.on('uncaughtException', (e) => {
    if (crashed) return;
    crashed = true;
    log.error('uncaught exception', { error: e.message, stack: e.stack });
    exit(1, 'uncaught exception');
  });
  process.on('unhandledRejection', (e) => {
    log.error('unhandled promise rejection', { error: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
  });

  try {
    running = await startServer(definition, settings, log, () => exit(0, 'shutdown requested'));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log.error('failed to start plugin server', { error: message });
    process.stderr.write(`Failed to start the provider plugin: ${message}\n`);
    process.exit(1);
  }

  // If the client dies without shutting us down (e.g. SIGKILL), we are re-parented: exit then.
  const parent = process.ppid;
  const poll = setInterval(() => {
    if (process.ppid !== parent) exit(0, 'parent process exited');
  }, options.parentPollIntervalMs ?? 1000);
  poll.unref();

  // The first and only write to stdout.
  process.stdout.write(running.handshakeLine + '\n');
  log.info('plugin server started', { address: running.address, tls: settings.clientCertPem !== undefined });
}
