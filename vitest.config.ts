import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores: DynamoDB Local (a JVM) and the test workers share them.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // `include` lives in the projects only: `extends: true` concatenates arrays with the root's.
    projects: [
      {
        // Unit and infra tests: no servers.
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', '**/node_modules/**'],
        },
      },
      {
        // One DynamoDB Local and one SES emulator for all integration tests, started only when an
        // integration test file is selected (Vitest runs a project's globalSetup only if it has files to run).
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
        },
      },
    ],
  },
});
