#!/usr/bin/env node
// The `journeys` command (package.json "bin"). In this repository it runs the TypeScript source through
// tsx, so `npx journeys …` and `npm run journeys -- …` work without a build step; in the installed
// package (no bin/journeys.ts, no tsx) it runs the build, dist/bin/journeys.js.
import { existsSync } from 'node:fs';

// The SDK warns on Node 20 about its releases after January 2027. That is about the deployed code
// (Lambda runs Node 24), not this command: keep its output for the people reading it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `journeys … | head` closes the pipe early: that ends the output, it is not an error to report.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const source = new URL('./journeys.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/bin/journeys.js'));
}
process.exitCode = await main(process.argv.slice(2));
