import { ConfigError, loadConfig } from './config';
import { serve } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await serve(config);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    running.keyplane.logger.info('shutting down', { signal });
    running.shutdown().then(
      () => process.exit(0),
      (err) => {
        running.keyplane.logger.error('shutdown failed', { error: err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err) => {
  const message = err instanceof ConfigError ? `configuration error: ${err.message}` : `keyplane failed to start: ${(err as Error).stack ?? err}`;
  process.stderr.write(message + '\n');
  process.exit(1);
});
