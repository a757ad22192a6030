/** Tests run against real TLS, HTTP/2 and child processes, so they get generous timeouts; speed lives in benchmarks. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  testTimeout: 60000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};
