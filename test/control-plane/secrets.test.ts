// Secrets: format, storage at rest, redaction, and a search of everything this file's requests
// produced (responses, JSON logs, the request-log and audit tables) for any secret issued — the
// helpers run the same search after every test file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classifySecret, generateSecret, Keyring, resolveMasterKey } from '../../control-plane/src/domain/credentials';
import { redact, redactString } from '../../control-plane/src/logger';
import { call, capturedLogs, findLeaks, flushRequestLogs, issuedSecretCount, newKey, newOrg, newUser, startServer, TEST_MASTER_KEY, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});

describe('secret format', () => {
  test('prefix, 32 random bytes in base62, a checksum that tells real secrets from noise', () => {
    const s = generateSecret('api_key');
    expect(s).toMatch(/^kp_[0-9A-Za-z]{49}$/);
    expect(generateSecret('user_token')).toMatch(/^kpu_[0-9A-Za-z]{49}$/);
    expect(classifySecret(s)).toBe('api_key');
    let caught = 0;
    for (let i = 3; i < s.length; i++) {
      const c = s[i] === 'a' ? 'b' : 'a';
      if (!classifySecret(s.slice(0, i) + c + s.slice(i + 1))) caught++;
    }
    expect(caught).toBe(s.length - 3); // every single-character change is detected
    expect(new Set(Array.from({ length: 200 }, () => generateSecret('api_key'))).size).toBe(200);
  });

  test('AES-256-GCM at rest: bound to the key ID, and the master key', () => {
    const ring = new Keyring(Buffer.from(TEST_MASTER_KEY, 'base64'));
    const blob = ring.encrypt('kp_x', 'key_a');
    expect(ring.decrypt(blob, 'key_a')).toBe('kp_x');
    expect(() => ring.decrypt(blob, 'key_b')).toThrow();
    expect(() => new Keyring(Buffer.alloc(32, 1)).decrypt(blob, 'key_a')).toThrow();
    expect(ring.lookupHash('kp_x').equals(new Keyring(Buffer.alloc(32, 1)).lookupHash('kp_x'))).toBe(false);
  });

  test('the embedded default generates a master key once, owner-only, in the data directory', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keyplane-mk-')), 'data');
    const key = resolveMasterKey(undefined, dir);
    expect(key).toHaveLength(32);
    expect(fs.statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(resolveMasterKey(undefined, dir).equals(key)).toBe(true);
    const configured = Buffer.alloc(32, 3);
    expect(resolveMasterKey(configured, dir)).toBe(configured);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test('the database holds neither key secrets nor user tokens in clear', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    const u = await newUser(org);
    const rows = JSON.stringify(await t.keyplane.db('api_keys').where({ id: k.id })) + JSON.stringify(await t.keyplane.db('user_tokens').where({ user_id: u.id }));
    expect(rows).not.toContain(k.secret);
    expect(rows).not.toContain(u.token);
    expect(rows).not.toContain(k.secret.slice(12)); // only the displayed prefix is stored in clear
  });
});

describe('redaction', () => {
  test('one function for every log path: by field name and by secret shape', () => {
    const s = generateSecret('api_key');
    const out = JSON.stringify(redact({ authorization: 'Basic abc', headers: { Cookie: 'x' }, msg: `got ${s}`, nested: [{ token: 'kpu_abc' }], note: `Bearer ${s}` }));
    expect(out).not.toContain(s);
    expect(out).not.toContain('Basic abc');
    expect(redactString(`x ${s} y`)).toBe('x kp_[REDACTED] y');
  });

  test('secrets sent in the wrong places never come back out (responses, logs, tables)', async () => {
    const org = await newOrg(t);
    const k = await newKey(org, { permissions: ['*:write'] });
    const u = await newUser(org);
    const s = k.secret;
    await call(t, 'GET', `/v1/api_keys?name=${s}`, { auth: k.bearer });
    await call(t, 'GET', `/v1/api_keys/${s}`, { auth: k.bearer });
    await call(t, 'GET', `/v1/api_keys?${s}=1`, { auth: k.basic });
    await call(t, 'GET', `/v1/${s}`, { auth: k.bearer });
    await call(t, 'GET', '/v1/me', { auth: k.bearer, headers: { 'User-Agent': `agent ${s}`, 'X-Request-Id': s } });
    await call(t, 'GET', '/v1/me', { auth: { header: `Bearer ${s} extra` } });
    await call(t, 'GET', '/v1/me', { auth: { basic: ['org_wrong', s] } });
    await call(t, 'POST', '/v1/api_keys', { auth: k.bearer, body: { name: s, permissions: ['nope:read'] } });
    await call(t, 'POST', '/v1/api_keys', { auth: k.bearer, raw: { contentType: 'application/json', data: `{"name": "${s}"` } });
    await call(t, 'POST', '/v1/authorize', { auth: k.bearer, body: { credential: s, permission: 'ledgers:write', path: `/x?token=${s}`, user_agent: s, request_id: s } });
    await call(t, 'POST', '/v1/authorize', { auth: k.bearer, body: { credential: u.token, permission: 'ledgers:read', bogus: s } });
    await call(t, 'GET', '/v1/me', { auth: { bearer: u.token }, headers: { 'X-Request-Id': u.token } });
    await call(t, 'POST', `/v1/api_keys/${k.id}/reveal`, { auth: org.admin });
    await flushRequestLogs(t);
    const tables = JSON.stringify(await t.keyplane.db('request_logs').where({ organization_id: org.id })) + JSON.stringify(await t.keyplane.db('audit_events').where({ organization_id: org.id }));
    expect(findLeaks([tables, ...capturedLogs()])).toEqual([]);
    expect(issuedSecretCount()).toBeGreaterThan(2);
    expect(capturedLogs().length).toBeGreaterThan(10);
  });

  test('the search itself finds a planted secret (positive control)', async () => {
    const org = await newOrg(t);
    const k = await newKey(org);
    expect(findLeaks([`oops ${k.secret}`])).toHaveLength(1);
  });
});
