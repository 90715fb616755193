import { ConfigError } from '@shop/kit';
import { Lifecycle, StopRequested } from './lifecycle';
import { startPlatform } from './platform';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function reasonOf(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** `npm start`: the whole platform in this process until Ctrl-C or SIGTERM, then an orderly stop. */
async function main(): Promise<void> {
  const lifecycle = new Lifecycle((step, err) => {
    process.stderr.write(`Stopping ${step} failed: ${reasonOf(err)}\n`);
  });
  const startup = startPlatform(process.env, lifecycle, (line) => say(`… ${line}`));

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      // A second Ctrl-C means "now"; Postgres still gets its stop signal from the exit hook.
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    signalled = true;
    lifecycle.requestStop();
    say(`\n${signal}: stopping the platform`);
    void (async () => {
      // Start-up notices the request at its next checkpoint; then everything opened is closed.
      await startup.catch(() => undefined);
      await lifecycle.stop();
      say('Stopped.');
      process.exit(0);
    })();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);

  say('Starting the shop platform locally');
  try {
    const platform = await startup;
    say(platform.banner);
  } catch (err) {
    if (err instanceof StopRequested || lifecycle.stopRequested) return;
    process.stderr.write(`\nThe local platform could not start.\n${reasonOf(err)}\n`);
    await lifecycle.stop();
    process.exit(1);
  }
}

void main();
