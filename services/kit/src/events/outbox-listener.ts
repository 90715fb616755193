import { Client, type ClientConfig } from 'pg';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { OUTBOX_CHANNEL } from './outbox-writer';

export interface OutboxListener {
  close(): Promise<void>;
}

/** The knex connection settings as a pg client config, or undefined when knex gets them from a function. */
export function listenConfigOf(db: Knex): ClientConfig | undefined {
  const { connection } = (db.client as { config: Knex.Config }).config;
  if (typeof connection === 'string') return { connectionString: connection };
  if (connection && typeof connection === 'object') return { ...(connection as ClientConfig) };
  return undefined;
}

/**
 * Holds a dedicated connection LISTENing on the outbox channel and calls `onNotify` for each
 * notification. Reconnects after a lost connection and calls `onNotify` then too, since
 * notifications sent while it was away are gone. Resolves once the first LISTEN is in place
 * (or has failed, in which case it keeps retrying in the background).
 */
export async function listenForOutbox(
  config: ClientConfig,
  onNotify: () => void,
  logger: Logger,
  retryMs = 1000,
): Promise<OutboxListener> {
  let closed = false;
  let client: Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const scheduleReconnect = (): void => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect().then(onNotify);
    }, retryMs);
  };

  const connect = async (): Promise<void> => {
    try {
      const next = new Client(config);
      client = next;
      next.on('notification', () => onNotify());
      next.on('error', (err) => logger.warn({ err }, 'outbox listener connection failed'));
      next.on('end', () => {
        if (client === next) client = undefined;
        scheduleReconnect();
      });
      await next.connect();
      await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      logger.warn({ err }, 'outbox listener could not LISTEN; relying on polling until it can');
      const failed = client;
      client = undefined;
      await failed?.end().catch(() => undefined);
      scheduleReconnect();
    }
  };

  await connect();
  return {
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
