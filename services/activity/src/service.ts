import { listen } from '@shop/kit';
import { createActivityApp, type ActivityDeps } from './app';

export interface RunningActivity {
  url: string;
  port: number;
  beginDrain(): void;
  stop(): Promise<void>;
}

export async function startActivityService(deps: ActivityDeps, options: { port: number; host: string }): Promise<RunningActivity> {
  let draining = false;
  const app = createActivityApp({ ...deps, isDraining: () => draining });
  const server = await listen(app, options.port, options.host);
  deps.logger.info({ url: server.url }, 'activity listening');
  return {
    url: server.url,
    port: server.port,
    beginDrain: () => {
      draining = true;
    },
    stop: async () => {
      draining = true;
      await server.close();
    },
  };
}
