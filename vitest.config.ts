import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The SDK warns once per process that its releases after the first week of January 2027 need Node 22;
// on Node 20 every test worker and the global setup said it, most of the log. Set here, in the main
// process, so the global setup and every worker inherit it. The README says which Node versions are
// supported (the Lambdas run Node 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  // The package's own name, as examples/ import it: the sources here (tsconfig.json "paths" says the same).
  resolve: {
    alias: [
      {
        find: /^retention-journeys$/,
        replacement: fileURLToPath(new URL('./lib/index.ts', import.meta.url)),
      },
      {
        find: /^retention-journeys\/events$/,
        replacement: fileURLToPath(new URL('./functions/core/events.ts', import.meta.url)),
      },
    ],
  },
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
