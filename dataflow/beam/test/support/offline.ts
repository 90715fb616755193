import net from 'node:net';

export interface OfflineRun<T> {
  result: T;
  /** Connections and processes the run tried to open; each attempt failed. */
  attempts: string[];
}

/**
 * Runs `run` with no way out of the process: every socket connection is refused and PATH is
 * empty, so no job service, expansion service, Python or Java can be reached or started.
 */
export async function offline<T>(run: () => Promise<T>): Promise<OfflineRun<T>> {
  const attempts: string[] = [];
  const connect = net.Socket.prototype.connect;
  const path = process.env.PATH;
  net.Socket.prototype.connect = (...args: unknown[]): never => {
    attempts.push(`connect ${JSON.stringify(args[0])}`);
    throw new Error('offline: no connections');
  };
  process.env.PATH = '';
  try {
    return { result: await run(), attempts };
  } finally {
    net.Socket.prototype.connect = connect;
    process.env.PATH = path;
  }
}
