/**
 * The catalog a function carries: only the parts its role reads (composition/roles.ts). Synth writes
 * one per function as its catalog.json (lib/function.ts); a journey function gets its own journey
 * and the order summary's reach computed over every journey, so it keeps the same orders as the rest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogPartName } from '../composition/roles.ts';
import { compileJourney } from '../core/compile.ts';
import { type OrderRetention, orderRetention } from '../core/order-history.ts';
import type { Catalog } from './catalog.ts';

export interface CatalogPart {
  defaultLocale?: string;
  journeys?: Catalog['journeys'];
  orderRetention?: OrderRetention;
  templates?: Catalog['templates'];
  loyalty?: Catalog['loyalty'];
}

/**
 * A catalog part as files next to a bundle: `catalog.json`, and each email message in a file of its
 * own under `messages/` that `catalog.json` names (`templates.messageFiles`). The dispatcher carries
 * every message in every locale (most of the catalog's size) but renders one or two per invocation;
 * read and parsed whole, they cost each cold start several milliseconds. composition/cold-start.ts
 * reads this layout back, each message on first use.
 */
export function catalogPartFiles(part: CatalogPart): Record<string, string> {
  const messages = Object.entries(part.templates?.messages ?? {});
  if (!part.templates || messages.length === 0) return { 'catalog.json': JSON.stringify(part) };
  const files: Record<string, string> = {};
  const messageFiles: Record<string, string> = {};
  messages.forEach(([key, message], index) => {
    const file = `messages/${index}.json`;
    files[file] = JSON.stringify(message);
    messageFiles[key] = file;
  });
  files['catalog.json'] = JSON.stringify({
    ...part,
    templates: { ...part.templates, messages: {}, messageFiles },
  });
  return files;
}

/** Writes the part's files into `dir`; returns the path of its `catalog.json`. */
export function writeCatalogPartFiles(dir: string, part: CatalogPart): string {
  for (const [name, text] of Object.entries(catalogPartFiles(part))) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return path.join(dir, 'catalog.json');
}

export class CatalogPartError extends Error {
  override name = 'CatalogPartError';
}

export function catalogPart(
  catalog: Catalog,
  parts: readonly CatalogPartName[],
  options: { journeyId?: string | undefined } = {},
): CatalogPart {
  const part: CatalogPart = {};
  if (parts.length > 0) part.defaultLocale = catalog.defaultLocale;
  for (const name of parts) {
    switch (name) {
      case 'journeys':
        part.journeys = catalog.journeys;
        break;
      case 'journey': {
        const own = catalog.journeys.filter((j) => j.definition.id === options.journeyId);
        if (own.length === 0)
          throw new CatalogPartError(
            `catalog part "journey": no journey "${options.journeyId}" in the catalog`,
          );
        part.journeys = own;
        break;
      }
      case 'orderRetention':
        part.orderRetention = orderRetention(
          catalog.journeys.map((j) => compileJourney(j.definition, j.version)),
        );
        break;
      case 'emails':
        part.templates = catalog.templates;
        break;
      case 'pages':
        // Pages are rendered from the shared strings; the email messages are most of the catalog.
        part.templates = { ...catalog.templates, messages: {} };
        break;
      case 'loyalty':
        if (catalog.loyalty) part.loyalty = catalog.loyalty;
        break;
    }
  }
  return part;
}
