import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { freePort } from './ports';

export { freePort };

/** TLS files for a server that only speaks TLS (as Memorystore with in-transit encryption). */
export interface RedisTls {
  certFile: string;
  keyFile: string;
  /** PEM of the CA that signed the certificate, for the readiness probe. */
  ca: string;
}

export interface PrivateRedisOptions {
  tls?: RedisTls;
  /** requirepass: clients must AUTH (as Memorystore with AUTH enabled). */
  password?: string;
}

function answersPing(port: number, options: PrivateRedisOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = options.tls ? tls.connect({ port, host: '127.0.0.1', ca: options.tls.ca }) : net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    // Without AUTH a password-protected server answers -NOAUTH, which still shows it is up.
    socket.once(options.tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A redis-server owned by one test, so it can be killed without disturbing the shared one. */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly options: PrivateRedisOptions = {},
  ) {}

  get url(): string {
    const auth = this.options.password ? `default:${encodeURIComponent(this.options.password)}@` : '';
    return `${this.options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const { tls: serverTls, password } = this.options;
    const listen = serverTls
      ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', serverTls.certFile, '--tls-key-file', serverTls.keyFile, '--tls-auth-clients', 'no']
      : ['--port', String(this.port)];
    const auth = password ? ['--requirepass', password] : [];
    const child = spawn('/usr/bin/redis-server', [...listen, ...auth, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', os.tmpdir()], {
      stdio: 'ignore',
    });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port, this.options))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
