'use strict';
// Starts and stops the official Pub/Sub emulator (gcloud beta emulators pubsub) for tests.
const { spawn } = require('node:child_process');
const { freePort, portOpen } = require('./ports');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function waitForHttp(port, deadline) {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/projects/probe/topics`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Pub/Sub emulator did not start on port ${port}`);
}

/** Starts an emulator; resolves to { host, port, pid, stop() }. */
async function startEmulator(options = {}) {
  const port = options.port ?? (await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pubsub-emulator-'));
  const child = spawn(
    'gcloud',
    ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, `--data-dir=${dataDir}`, '--project=shop-test', '--quiet'],
    { detached: true, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  child.unref();
  try {
    await waitForHttp(port, Date.now() + 60_000);
  } catch (err) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    throw err;
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    pid: child.pid,
    stop: () => stopEmulator(child.pid, port),
  };
}

/** Kills the emulator's whole process group (gcloud wrapper and its Java child). */
async function stopEmulator(pid, port) {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (!(await portOpen(port))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Pub/Sub emulator on port ${port} did not stop`);
}

module.exports = { startEmulator, stopEmulator, freePort };
