/**
 * What every Lambda composition root shares: building once per cold start (and again after a
 * failure), and reading the catalog part bundled next to the handler. Kept free of zod and of the
 * catalog module's schemas, so a function without a catalog loads neither.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `build` run on the first call and its result shared by every later one; a failed build (a secret
 * not readable yet, a throttled call) is forgotten, so the next invocation tries again.
 */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}

/** The catalog part synth wrote next to the bundle (`catalog.json`), or the file CATALOG_PATH names. */
export async function bundledCatalog<T>(env: Record<string, string | undefined> = process.env): Promise<T> {
  // In a bundle, import.meta.url is the bundle's own file, next to which synth puts catalog.json.
  const file = env.CATALOG_PATH ?? join(dirname(fileURLToPath(import.meta.url)), 'catalog.json');
  return JSON.parse(await readFile(file, 'utf8')) as T;
}
