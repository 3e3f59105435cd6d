import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import { createApp, type KeyplaneApp } from './app';
import { bootstrapIfEmpty } from './services/bootstrap';

export interface RunningServer {
  keyplane: KeyplaneApp;
  server: http.Server;
  url: string;
  /** Stops accepting, finishes in-flight requests, flushes request logs, closes the database. */
  shutdown(): Promise<void>;
}

/** Migrates, bootstraps an empty database (printing the admin credentials once), and listens. */
export async function serve(config: Config, out: NodeJS.WritableStream = process.stdout): Promise<RunningServer> {
  const keyplane = await createApp(config);
  const first = await bootstrapIfEmpty(keyplane.db, keyplane.services.ctx.keyring, {
    organizationName: 'Default organization',
    adminEmail: 'admin@localhost',
  });
  if (first) {
    out.write(
      [
        '',
        '  Keyplane: first start, created an organization and an admin.',
        '  Save the token now, it is not shown again.',
        '',
        `    KEYPLANE_ORGANIZATION_ID=${first.organization_id}`,
        `    KEYPLANE_ADMIN_TOKEN=${first.token}`,
        '',
        '',
      ].join('\n'),
    );
  }
  const server = http.createServer(keyplane.app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  keyplane.logger.info('listening', { url, database: config.databaseUrl ? 'postgresql' : 'embedded', data_dir: config.databaseUrl ? undefined : config.dataDir });

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get 10 s to finish.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await keyplane.close();
      keyplane.logger.info('stopped');
    })();
    return stopping;
  };
  return { keyplane, server, url, shutdown };
}
