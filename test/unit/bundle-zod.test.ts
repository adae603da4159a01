/**
 * Every function bundle parses with zod/mini only: classic zod (≈ 97 KB, ≈ 20 ms at start) stays in
 * the build-time schemas. Each handler is bundled the way lib/function.ts bundles it, and its inputs
 * are checked; a bundle that parses with zod also holds core/events.ts, which installs the English
 * messages that classic zod would have installed itself.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS } from '../../lib/function.ts';

const HANDLERS = fileURLToPath(new URL('../../functions/handlers/', import.meta.url));

async function bundleInputs(file: string): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(HANDLERS, file)],
    write: false,
    outfile: 'bundle.mjs',
    bundle: true,
    format: BUNDLE_OPTIONS.format,
    platform: BUNDLE_OPTIONS.platform,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    metafile: true,
    logLevel: 'error',
  });
  return Object.keys(result.metafile.inputs);
}

describe('function bundles', () => {
  const handlers = readdirSync(HANDLERS).filter((file) => file.endsWith('.ts'));

  it.each(handlers)('%s holds no classic zod, and sets zod messages where it parses', async (file) => {
    const inputs = await bundleInputs(file);
    expect(inputs.filter((input) => input.includes('zod/v4/classic'))).toEqual([]);
    if (inputs.some((input) => input.includes('node_modules/zod/')))
      expect(inputs.some((input) => input.endsWith('functions/core/events.ts'))).toBe(true);
  });
});
