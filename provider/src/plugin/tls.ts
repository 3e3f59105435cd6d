/**
 * Certificates for go-plugin's AutoMTLS.
 *
 * The client (OpenTofu) passes its own self-signed certificate in
 * PLUGIN_CLIENT_CERT and expects the plugin to present a self-signed
 * certificate whose DER bytes are printed in the handshake line. The client
 * verifies it as its own root with ServerName "localhost" (Go checks SANs
 * only), so the profile mirrors go-plugin's: CN=localhost, SAN DNS:localhost,
 * CA:TRUE, key usages for signing and key agreement, both EKUs.
 */
import { X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';

// @peculiar/x509 resolves its ASN.1 providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export interface CertificateBundle {
  /** PEM certificate. */
  certPem: string;
  /** PEM PKCS#8 private key. */
  keyPem: string;
  /** DER certificate bytes. */
  certDer: Buffer;
}

export interface CertificateOptions {
  commonName?: string;
  organization?: string;
  /** Defaults to now; NotBefore is backdated 30 s to tolerate clock skew. */
  now?: Date;
  /** Lifetime; defaults to go-plugin's 262980 h. */
  validForHours?: number;
}

// @peculiar/x509 is typed against the DOM's Crypto; Node's webcrypto implements it.
type CreateParams = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0];
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;
const x509Crypto = webcrypto as unknown as X509Crypto;

function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Generates an ECDSA P-256 self-signed certificate with go-plugin's AutoMTLS profile. */
export async function generateSelfSignedCertificate(options: CertificateOptions = {}): Promise<CertificateBundle> {
  const now = options.now ?? new Date();
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const serial = new Uint8Array(16);
  webcrypto.getRandomValues(serial);
  serial[0] &= 0x7f; // keep the serial number positive

  const cn = options.commonName ?? 'localhost';
  const name = options.organization ? `CN=${cn}, O=${options.organization}` : `CN=${cn}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(serial).toString('hex'),
      name,
      notBefore: new Date(now.getTime() - 30_000),
      notAfter: new Date(now.getTime() + (options.validForHours ?? 262_980) * 3_600_000),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
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
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }]),
        await x509.SubjectKeyIdentifierExtension.create(
          keys.publicKey as unknown as CreateParams['keys']['publicKey'],
          false,
          x509Crypto,
        ),
      ],
    },
    x509Crypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const certDer = Buffer.from(cert.rawData);
  return { certPem: pem('CERTIFICATE', certDer), keyPem: pem('PRIVATE KEY', pkcs8), certDer };
}

/** The handshake's SERVER-CERT field: standard base64 of the DER, without padding. */
export function handshakeCertField(certDer: Uint8Array): string {
  return Buffer.from(certDer).toString('base64').replace(/=+$/, '');
}

/**
 * Validates PLUGIN_CLIENT_CERT: it must contain at least one parseable PEM
 * certificate. Returns the PEM bytes to trust for client authentication.
 */
export function parseClientCertificates(pemText: string): Buffer {
  const blocks = pemText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks || blocks.length === 0) throw new Error('PLUGIN_CLIENT_CERT does not contain a PEM certificate');
  for (const block of blocks) {
    try {
      new NodeX509Certificate(block);
    } catch (e) {
      throw new Error(`PLUGIN_CLIENT_CERT contains an invalid certificate: ${(e as Error).message}`);
    }
  }
  return Buffer.from(blocks.join('\n') + '\n', 'utf8');
}
