/**
 * Test helpers: start a provider binary the way OpenTofu's go-plugin client
 * does, read its handshake and talk gRPC to it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../../provider/src/plugin/server';
import { loadProtos } from '../../../provider/src/plugin/proto';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const FIXTURE = path.join(__dirname, 'fixtures', 'example-provider.ts');

/** Node plus the tsx loader: one process, like a `#!/usr/bin/env node` provider binary. */
export function pluginCommand(script = FIXTURE): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', require.resolve('tsx'), script] };
}

export interface ClientCert {
  certPem: string;
  keyPem: string;
}

type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;
type CreateParams = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0];

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

/** A client certificate with go-plugin's profile (ECDSA P-521, CN=localhost, O=HashiCorp). */
export async function generateClientCert(): Promise<ClientCert> {
  const crypto = webcrypto as unknown as X509Crypto;
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01' + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
      name: 'CN=localhost, O=HashiCorp',
      notBefore: new Date(now - 30_000),
      notAfter: new Date(now + 3_600_000),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-512' },
      keys: keys as unknown as CreateParams['keys'],
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature |
            x509.KeyUsageFlags.keyEncipherment |
            x509.KeyUsageFlags.keyAgreement |
            x509.KeyUsageFlags.keyCertSign,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }]),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem') + '\n', keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

export interface Handshake {
  core: string;
  app: string;
  network: string;
  address: string;
  protocol: string;
  cert: string;
  line: string;
}

export interface PluginProcess {
  child: ChildProcess;
  handshake: Handshake;
  stdoutAfterHandshake: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning: () => boolean;
}

export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
    PLUGIN_MIN_PORT: '10000',
    PLUGIN_MAX_PORT: '25000',
    PLUGIN_PROTOCOL_VERSIONS: '5,6',
    ...extra,
  };
}

/** Starts the plugin and resolves once the first stdout line (the handshake) has arrived. */
export function startPlugin(env: NodeJS.ProcessEnv, script = FIXTURE): Promise<PluginProcess> {
  const { command, args } = pluginCommand(script);
  const child = spawn(command, args, { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no handshake within 20 s; stderr:\n${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      const before = stdout;
      stdout += d.toString();
      if (!before.includes('\n') && stdout.includes('\n')) {
        clearTimeout(timer);
        const line = stdout.slice(0, stdout.indexOf('\n'));
        const [core, app, network, address, protocol, cert] = line.split('|');
        resolve({
          child,
          handshake: { core, app, network, address, protocol, cert, line },
          stdoutAfterHandshake: () => stdout.slice(line.length + 1),
          stderr: () => stderr,
          exited,
          isRunning: () => running,
        });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`plugin exited (${code}) before the handshake; stderr:\n${stderr}`));
    });
  });
}

export function serverCertPem(handshake: Handshake): string {
  const der = Buffer.from(handshake.cert, 'base64');
  return pem('CERTIFICATE', der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer);
}

export interface Clients {
  provider: grpc.Client & Record<string, unknown>;
  controller: grpc.Client & Record<string, unknown>;
  stdio: grpc.Client & Record<string, unknown>;
  health: grpc.Client & Record<string, unknown>;
  close(): void;
}

/** Connects like go-plugin: unix socket, TLS with the printed cert as the only root, ServerName localhost. */
export function connect(handshake: Handshake, clientCert?: ClientCert): Clients {
  const protos = loadProtos();
  const creds = clientCert
    ? grpc.credentials.createSsl(Buffer.from(serverCertPem(handshake)), Buffer.from(clientCert.keyPem), Buffer.from(clientCert.certPem))
    : grpc.credentials.createInsecure();
  const options: grpc.ChannelOptions = {
    'grpc.ssl_target_name_override': 'localhost',
    'grpc.default_authority': 'localhost',
    'grpc.max_receive_message_length': -1,
  };
  const target = `unix:${handshake.address}`;
  const provider = new protos.ProviderClient(target, creds, options) as unknown as Clients['provider'];
  const controller = new protos.GRPCControllerClient(target, creds, options) as unknown as Clients['controller'];
  const stdio = new protos.GRPCStdioClient(target, creds, options) as unknown as Clients['stdio'];
  const health = new protos.HealthClient(target, creds, options) as unknown as Clients['health'];
  return {
    provider,
    controller,
    stdio,
    health,
    close: () => [provider, controller, stdio, health].forEach((c) => c.close()),
  };
}

/** Promisified unary call. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function call<T = any>(client: grpc.Client & Record<string, unknown>, method: string, request: unknown = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = client[method] as (req: unknown, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: T) => void) => void;
    fn.call(client, request, { deadline: Date.now() + 15_000 }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

export async function killIfRunning(p: PluginProcess | undefined): Promise<void> {
  if (p && p.isRunning()) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}
