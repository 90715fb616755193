'use strict';
// Runs the built BigQuery warehouse adapter in a plain Node process for the tests: the BigQuery
// client loads node-fetch by dynamic import, which jest's module sandbox does not allow.
const { PassThroughClient } = require('google-auth-library');
const { createBigQueryWarehouse } = require('../../dist/index.js');

const warehouses = new Map();
let next = 0;

process.on('message', async (message) => {
  const { id, op } = message;
  try {
    let result;
    if (op === 'open') {
      const { projectId, dataset, endpoint, createTables } = message.options;
      const handle = next++;
      warehouses.set(handle, await createBigQueryWarehouse({ projectId, dataset, createTables, clientOptions: { apiEndpoint: endpoint, authClient: new PassThroughClient() } }));
      result = handle;
    } else if (op === 'call') {
      result = await warehouses.get(message.handle)[message.method](...message.args);
      if (message.method === 'close') warehouses.delete(message.handle);
    }
    process.send({ id, result }, () => {
      if (op === 'exit') process.disconnect();
    });
  } catch (err) {
    process.send({ id, error: { name: err.name, message: err.message } });
  }
});
