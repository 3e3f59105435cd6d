import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

// Secrets: `kp_` (keys) or `kpu_` (user tokens) + base62(32 random bytes, 43 chars) +
// base62(CRC32 of those 43 chars, 6 chars). Looked up by HMAC-SHA256 with a key derived from the
// master key; key secrets are also kept AES-256-GCM encrypted (AAD = the key ID) for `reveal`.

export const KEY_SECRET_PREFIX = 'kp_';
export const USER_TOKEN_PREFIX = 'kpu_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LEN = 43;
const CHECK_LEN = 6;

function base62(value: bigint, width: number): string {
  let out = '';
  let v = value;
  while (v > 0n) {
    out = BASE62[Number(v % 62n)] + out;
    v /= 62n;
  }
  return out.padStart(width, '0');
}

function checksum(body: string): string {
  return base62(BigInt(crc32(body) >>> 0), CHECK_LEN);
}

export type SecretKind = 'api_key' | 'user_token';

export function generateSecret(kind: SecretKind): string {
  const body = base62(BigInt('0x' + randomBytes(32).toString('hex')), BODY_LEN);
  return `${kind === 'api_key' ? KEY_SECRET_PREFIX : USER_TOKEN_PREFIX}${body}${checksum(body)}`;
}

/** Which kind of well-formed secret this is (prefix, alphabet, length and checksum), or undefined. */
export function classifySecret(secret: string): SecretKind | undefined {
  let kind: SecretKind;
  let rest: string;
  if (secret.startsWith(USER_TOKEN_PREFIX)) {
    kind = 'user_token';
    rest = secret.slice(USER_TOKEN_PREFIX.length);
  } else if (secret.startsWith(KEY_SECRET_PREFIX)) {
    kind = 'api_key';
    rest = secret.slice(KEY_SECRET_PREFIX.length);
  } else return undefined;
  if (rest.length !== BODY_LEN + CHECK_LEN || !/^[0-9A-Za-z]+$/.test(rest)) return undefined;
  const body = rest.slice(0, BODY_LEN);
  return checksum(body) === rest.slice(BODY_LEN) ? kind : undefined;
}

/** What a key shows of its secret: `kp_` + 9 characters. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, 12);
}

export class Keyring {
  private readonly lookupKey: Buffer;
  private readonly encKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.lookupKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'keyplane/lookup/v1', 32));
    this.encKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'keyplane/encryption/v1', 32));
  }

  lookupHash(secret: string): Buffer {
    return createHmac('sha256', this.lookupKey).update(secret).digest();
  }

  /** Constant-time equality of a stored lookup hash and the hash of a presented secret. */
  matches(stored: Buffer, secret: string): boolean {
    const presented = this.lookupHash(secret);
    return stored.length === presented.length && timingSafeEqual(stored, presented);
  }

  encrypt(secret: string, keyId: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    cipher.setAAD(Buffer.from(keyId));
    const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, ct, cipher.getAuthTag()]);
  }

  decrypt(blob: Buffer, keyId: string): string {
    const iv = blob.subarray(0, 12);
    const tag = blob.subarray(blob.length - 16);
    const ct = blob.subarray(12, blob.length - 16);
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, iv);
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  }
}

/**
 * The configured master key, or (embedded database only) the one kept in `dataDir/master.key`,
 * generated with owner-only permissions on first use.
 */
export function resolveMasterKey(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, 'master.key');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold 32 bytes of base64`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return resolveMasterKey(undefined, dataDir);
    throw err;
  }
  return key;
}
