/**
 * What every Lambda composition root shares: building once per cold start (and again after a
 * failure), and reading the catalog part bundled next to the handler. Kept free of zod and of the
 * catalog module's schemas, so a function without a catalog loads neither.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyRecord } from '../core/lazy-record.ts';

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

/**
 * The catalog part synth wrote next to the bundle (`catalog.json`), or the file CATALOG_PATH names.
 * Email messages in files of their own (catalog/part.ts, `catalogPartFiles`) are read on first use.
 */
export async function bundledCatalog<T>(env: Record<string, string | undefined> = process.env): Promise<T> {
  // In a bundle, import.meta.url is the bundle's own file, next to which synth puts catalog.json.
  const file = env.CATALOG_PATH ?? join(dirname(fileURLToPath(import.meta.url)), 'catalog.json');
  const part = JSON.parse(await readFile(file, 'utf8')) as T & {
    templates?: { messages: Record<string, unknown>; messageFiles?: Record<string, string> };
  };
  const templates = part.templates;
  if (templates?.messageFiles) {
    const dir = dirname(file);
    const { messageFiles, ...rest } = templates;
    part.templates = {
      ...rest,
      messages: lazyRecord(
        Object.fromEntries(
          Object.entries(messageFiles).map(([key, name]) => [
            key,
            () => JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown,
          ]),
        ),
      ),
    };
  }
  return part;
}
