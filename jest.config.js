/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/services', '<rootDir>/dataflow', '<rootDir>/dashboards', '<rootDir>/cdktf', '<rootDir>/k8s'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleNameMapper: {
    '^@shop/(kit|contracts|inventory|catalog|orders|activity|storefront|local)$': '<rootDir>/services/$1/src/index.ts',
    '^@shop/dataflow$': '<rootDir>/dataflow/src/index.ts',
    '^@shop/beam-pipeline$': '<rootDir>/dataflow/beam/src/index.ts',
    '^@shop/dashboards$': '<rootDir>/dashboards/src/index.ts',
    '^@shop/(cdktf|k8s)$': '<rootDir>/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/services/kit/test-support/global-setup.js',
  globalTeardown: '<rootDir>/services/kit/test-support/global-teardown.js',
  testTimeout: 60000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/services/kit/test-support/summary-reporter.js'],
};
