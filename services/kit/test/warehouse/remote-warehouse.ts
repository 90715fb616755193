import { fork } from 'node:child_process';
import path from 'node:path';
import { WarehouseRowError, type Warehouse } from '@shop/kit';

export interface RemoteBigQueryOptions {
  projectId: string;
  dataset: string;
  endpoint: string;
  createTables: boolean;
}

export interface BigQueryDriver {
  open(options: RemoteBigQueryOptions): Promise<Warehouse>;
  stop(): Promise<void>;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: { name: string; message: string };
}

/** An error as the driver reported it; the port's own error class comes back as itself. */
function rebuilt(error: { name: string; message: string }): Error {
  const err = error.name === 'WarehouseRowError' ? (Object.create(WarehouseRowError.prototype) as Error) : new Error();
  err.name = error.name;
  err.message = error.message;
  return err;
}

/**
 * The built BigQuery adapter (services/kit/dist) in its own Node process, driven over IPC, so the
 * official client runs exactly as in production; Dates and nested rows cross by structured clone.
 */
export function startBigQueryDriver(): BigQueryDriver {
  const child = fork(path.join(__dirname, 'bigquery-driver.js'), [], {
    serialization: 'advanced',
    env: { ...process.env, METADATA_SERVER_DETECTION: 'none' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  child.on('message', (reply: Reply) => {
    const pending = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error) pending?.reject(rebuilt(reply.error));
    else pending?.resolve(reply.result);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      for (const pending of waiting.values()) pending.reject(new Error(`the BigQuery driver exited with ${code}`));
      waiting.clear();
      resolve();
    }),
  );
  const send = (message: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, ...message });
    });

  return {
    open: async (options) => {
      const handle = await send({ op: 'open', options });
      const call = (method: keyof Warehouse, ...args: unknown[]): Promise<unknown> => send({ op: 'call', handle, method, args });
      return {
        insert: async (table, rows) => void (await call('insert', table, rows)),
        read: async (relation, query) => (await call('read', relation, query)) as Awaited<ReturnType<Warehouse['read']>>,
        topCoViewed: async (productId, query) => (await call('topCoViewed', productId, query)) as Awaited<ReturnType<Warehouse['topCoViewed']>>,
        ping: async () => void (await call('ping')),
        close: async () => void (await call('close')),
      };
    },
    stop: async () => {
      await send({ op: 'exit' });
      await exited;
    },
  };
}
