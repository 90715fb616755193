import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { JobStatus } from '@shop/dataflow';

const MAIN = path.resolve(__dirname, '../../dist/main.js');

export interface RunnerProcess {
  url: string;
  child: ChildProcess;
  status(): Promise<JobStatus>;
  /** SIGTERM: the runner drains (commits and acks what it applied) and exits. */
  stop(): Promise<number | null>;
  /** SIGKILL: gone at once, nothing flushed. */
  kill(): Promise<void>;
  /** Everything it wrote to stderr. */
  errors(): string;
}

/** Starts the built runner (dataflow/dist/main.js, built by `tsc -b` before the tests) as its own process. */
export function startRunnerProcess(env: Record<string, string>): Promise<RunnerProcess> {
  const child = spawn(process.execPath, [MAIN], {
    // Info level: the listening line tells the port.
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', METADATA_SERVER_DETECTION: 'none', ...env, LOG_LEVEL: process.env.RUNNER_LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runner did not start: ${stderr}`));
    }, 60_000);
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        // Errors go to the test's output, where a failure needs them.
        if (line.includes('"severity":"ERROR"')) stderr += `${line}\n`;
        const match = /"url":"(http:\/\/[^"]+)".*"message":"analytics listening"/.exec(line);
        if (!match?.[1]) continue;
        clearTimeout(timer);
        const url = match[1];
        resolve({
          url,
          child,
          status: async () => (await (await fetch(`${url}/status`)).json()) as JobStatus,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
          kill: async () => {
            if (child.exitCode === null) child.kill('SIGKILL');
            await exited;
          },
          errors: () => stderr,
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`runner exited with ${code}: ${stderr}`));
    });
  });
}
