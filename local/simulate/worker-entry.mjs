// The entry of a simulation worker thread (parallel.ts): TypeScript through tsx, as bin/journeys.js
// runs it, whether or not the parent thread was started with tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
