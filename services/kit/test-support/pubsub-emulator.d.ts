export interface RunningEmulator {
  host: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}
export function startEmulator(options?: { port?: number }): Promise<RunningEmulator>;
export function stopEmulator(pid: number, port: number): Promise<void>;
export function freePort(): Promise<number>;
