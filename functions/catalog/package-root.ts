/**
 * Where this package's own files are, whether the code runs from the TypeScript sources (this
 * repository, through tsx: lib/…) or from the build (`npm run build`, an installed package: dist/lib/…).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above `from` (a module's `import.meta.url`) that holds a package.json. */
export function packageRoot(from: string): string {
  const start = path.dirname(fileURLToPath(from));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** `.ts` when running from the sources, `.js` when running from the build: the extension of sibling modules. */
export function moduleExtension(from: string): '.ts' | '.js' {
  return from.endsWith('.ts') ? '.ts' : '.js';
}

/** The package's root directory: holds package.json, journeys/, templates/ and schemas/. */
export const PACKAGE_ROOT = packageRoot(import.meta.url);
