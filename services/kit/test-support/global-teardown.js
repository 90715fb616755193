'use strict';

module.exports = async function globalTeardown() {
  const emulator = globalThis.__PUBSUB_EMULATOR__;
  if (emulator) await emulator.stop();
};
