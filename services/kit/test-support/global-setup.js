'use strict';
// Gives the whole test run one Pub/Sub emulator unless PUBSUB_EMULATOR_HOST already names one.
const { startEmulator } = require('./pubsub-emulator');

module.exports = async function globalSetup() {
  // No GCE metadata server here; without this Google client libraries probe for one and warn.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  if (process.env.PUBSUB_EMULATOR_HOST) return;
  const emulator = await startEmulator();
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  globalThis.__PUBSUB_EMULATOR__ = emulator;
};
