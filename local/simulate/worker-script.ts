/**
 * The script a simulation worker starts from. Started from the TypeScript sources, each worker would
 * resolve and transform a few hundred modules through tsx's loader — about two seconds of a year's run
 * on two cores, before any customer is simulated. So the worker's own code is bundled once per run with
 * esbuild (a fraction of a second; packages stay in node_modules) into the project's cache, and each
 * worker loads that one file. Without esbuild (it is a development dependency), the worker starts from
 * worker-entry.mjs through tsx as before.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/retention-journeys/', import.meta.url));

export interface WorkerScript {
  url: URL;
  /** Removes the bundle (once every worker has loaded it). */
  remove(): Promise<void>;
}

const fromSources = (): WorkerScript => ({
  url: new URL('./worker-entry.mjs', import.meta.url),
  remove: async () => {},
});

export async function workerScript(): Promise<WorkerScript> {
  const source = new URL('./worker.ts', import.meta.url);
  // Built (dist/, the installed package): the worker is plain JavaScript already.
  if (!import.meta.url.endsWith('.ts'))
    return { url: new URL('./worker.js', import.meta.url), remove: async () => {} };
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return fromSources();
  }
  // One file per run: simulations running side by side (the tests) never share a half-written one.
  const file = `${CACHE_DIR}simulation-worker-${randomUUID()}.mjs`;
  await mkdir(CACHE_DIR, { recursive: true });
  await esbuild.build({
    entryPoints: [fileURLToPath(source)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return { url: pathToFileURL(file), remove: () => rm(file, { force: true }) };
}
