import { ConfigError, loadConfig } from './config';
import { createDb, migrate } from './db';
import { Keyring, resolveMasterKey } from './domain/credentials';
import { bootstrapOrganization } from './services/bootstrap';
import { serve } from './server';

const USAGE = `usage:
  keyplane bootstrap --org NAME --admin EMAIL [--json]   create an organization, an admin and an admin token
  keyplane migrate                                       apply pending database migrations
  keyplane serve                                         run the control plane (same as npm start)

Configuration comes from the environment (DATABASE_URL or KEYPLANE_DATA_DIR, KEYPLANE_MASTER_KEY, PORT, …).`;

class UsageError extends Error {}

function parseFlags(args: string[], allowed: Record<string, 'value' | 'flag'>): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    if (!name || !(name in allowed)) throw new UsageError(`unknown argument: ${arg}`);
    if (allowed[name] === 'flag') {
      out[name] = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export async function runCli(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'bootstrap') {
    const flags = parseFlags(rest, { org: 'value', admin: 'value', json: 'flag' });
    const org = typeof flags.org === 'string' ? flags.org.trim() : '';
    const admin = typeof flags.admin === 'string' ? flags.admin.trim() : '';
    if (!org) throw new UsageError('--org NAME is required');
    if (!admin || !EMAIL.test(admin)) throw new UsageError('--admin EMAIL is required and must be an email address');
    const config = loadConfig();
    const db = createDb(config);
    try {
      await migrate(db);
      const result = await bootstrapOrganization(db, new Keyring(resolveMasterKey(config.masterKey, config.dataDir)), { organizationName: org, adminEmail: admin });
      if (flags.json) out.write(JSON.stringify({ organization_id: result.organization_id, user_id: result.user_id, token: result.token }) + '\n');
      else out.write(`organization_id: ${result.organization_id}\nuser_id: ${result.user_id}\ntoken: ${result.token}\n(the token is shown once)\n`);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (command === 'migrate') {
    parseFlags(rest, {});
    const db = createDb(loadConfig());
    try {
      const applied = await migrate(db);
      out.write(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database is up to date\n');
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (command === 'serve') {
    parseFlags(rest, {});
    const running = await serve(loadConfig(), out);
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        running.keyplane.logger.info('shutting down', { signal });
        void running.shutdown().then(resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command: ${command}`);
}

/** Runs the CLI and exits the process with its status. */
export function cliMain(argv: string[]): void {
  runCli(argv).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof UsageError) process.stderr.write(`keyplane: ${err.message}\n\n${USAGE}\n`);
      else if (err instanceof ConfigError) process.stderr.write(`keyplane: configuration error: ${err.message}\n`);
      else process.stderr.write(`keyplane: ${(err as Error).message ?? err}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}

if (require.main === module) cliMain(process.argv.slice(2));
