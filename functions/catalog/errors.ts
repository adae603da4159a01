/** Errors of building the catalog from the marketer's files. */
import type { TemplateError } from '../email/compile.ts';
import { type DefinitionError, formatDefinitionError } from './journeys.ts';

export class CatalogError extends Error {
  override name = 'CatalogError';
  constructor(readonly errors: (DefinitionError | TemplateError)[]) {
    super(
      `the journeys, templates or loyalty program have ${errors.length} error(s); run \`npx journeys validate\`:\n${errors
        .map((e) => `  ${formatDefinitionError({ path: '', ...e })}`)
        .join('\n')}`,
    );
  }
}
