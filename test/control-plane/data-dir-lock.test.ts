// The embedded database is single-process: a second process on the same data directory would
// silently lose writes, so it must be refused with a message that says what to do.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, DataDirLockedError } from '../../control-plane/src/db';

const config = (dataDir: string) => ({ databaseUrl: undefined, dataDir, databasePoolMax: 1 });

describe('embedded data directory lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyplane-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('refuses a directory held by another live process, naming it and the way out', async () => {
    const other = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(path.join(dir, 'keyplane.lock'), String(other.pid));
      expect(() => createDb(config(dir))).toThrow(DataDirLockedError);
      expect(() => createDb(config(dir))).toThrow(new RegExp(`in use by process ${other.pid}.*stop the server.*DATABASE_URL`));
    } finally {
      other.kill();
    }
  });

  test('takes over a lock left by a process that died, and releases it on destroy', async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    fs.writeFileSync(path.join(dir, 'keyplane.lock'), String(dead.pid));
    const db = createDb(config(dir));
    expect(fs.readFileSync(path.join(dir, 'keyplane.lock'), 'utf8')).toBe(String(process.pid));
    // Let PGlite finish starting before closing it, so nothing of it runs after this test.
    await db.raw('select 1');
    await db.destroy();
    expect(fs.existsSync(path.join(dir, 'keyplane.lock'))).toBe(false);
  });
});
