#!/usr/bin/env node
// The `journeys` command (package.json "bin"). Runs the TypeScript source through tsx, so
// `npx journeys …` and `npm run journeys -- …` work without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./journeys.ts');
process.exitCode = await main(process.argv.slice(2));
