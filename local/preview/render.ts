/**
 * Rendering previews: one message for one customer, and the gallery (every message of every journey
 * × every shipped locale) as a set of files. The data of each email comes from running the engine
 * (sample-data.ts); rendering is the runtime's renderer. Pure apart from `writeGallery`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { CompiledJourney } from '../../functions/core/compile.ts';
import type { JourneyDefinition } from '../../functions/core/definition.ts';
import { createRenderer, type EmailRenderer, type RenderedEmail } from '../../functions/email/index.ts';
import { type CustomerFixture, sampleCustomer } from './fixtures.ts';
import { galleryIndexHtml } from './gallery.ts';
import { previewProgram } from './loyalty-sample.ts';
import { journeyMessages, type MessageRef } from './messages.ts';
import { previewJourney, sampleRenderData, sampleSend } from './sample-data.ts';

export interface RenderOneInput {
  catalog: Catalog;
  message: MessageRef;
  locale: string;
  customer: CustomerFixture;
  renderer?: EmailRenderer;
  /** The journey as compiled for the preview; compiled from the catalog when absent. */
  journey?: CompiledJourney;
}

export async function renderOne(input: RenderOneInput): Promise<RenderedEmail> {
  const renderer = input.renderer ?? createRenderer(input.catalog.templates);
  const customer = { ...input.customer, locale: input.locale };
  const journey = input.journey ?? previewJourney(input.catalog, input.message.journeyId);
  const send = sampleSend(journey, input.message.messageId, customer, previewProgram(input.catalog));
  // A message may borrow another journey's template, as the dispatcher resolves it.
  const [journeyId = '', message = ''] = (send.effect.template ?? input.message.template).split('/');
  return renderer.render({
    journeyId,
    message,
    locale: input.locale,
    timeZone: customer.timeZone,
    data: sampleRenderData(send, customer),
  });
}

export type GalleryCell = {
  journeyId: string;
  messageId: string;
  locale: string;
  customer: CustomerFixture;
  /** Paths relative to the gallery directory. */
  htmlFile: string;
  textFile: string;
} & ({ ok: true; email: RenderedEmail } | { ok: false; error: string });

export interface Gallery {
  locales: string[];
  journeys: JourneyDefinition[];
  messages: MessageRef[];
  cells: GalleryCell[];
  /** Relative path -> content: index.html and two files per rendered cell. */
  files: Map<string, string>;
  counts: { journeys: number; messages: number; locales: number; renders: number; failures: number };
}

/** Renders every message of every journey in every shipped locale and lays out the gallery. */
export async function buildGallery(
  catalog: Catalog,
  options: { onProgress?: (done: number, total: number, label: string) => void } = {},
): Promise<Gallery> {
  const renderer = createRenderer(catalog.templates);
  const locales = [...catalog.templates.locales];
  const journeys = catalog.journeys.map((j) => j.definition);
  const messages = journeys.flatMap(journeyMessages);
  const compiled = new Map(journeys.map((j) => [j.id, previewJourney(catalog, j.id)]));
  const cells: GalleryCell[] = [];
  const files = new Map<string, string>();
  const total = messages.length * locales.length;
  for (const m of messages) {
    for (const locale of locales) {
      const customer = sampleCustomer(locale);
      const base = `${m.journeyId}/${m.messageId}.${locale}`;
      const where = { journeyId: m.journeyId, messageId: m.messageId, locale, customer };
      const htmlFile = `${base}.html`;
      const textFile = `${base}.txt`;
      options.onProgress?.(cells.length, total, `${m.journeyId}/${m.messageId} ${locale}`);
      try {
        const journey = compiled.get(m.journeyId);
        const email = await renderOne({
          catalog,
          message: m,
          locale: customer.locale,
          customer,
          renderer,
          journey,
        });
        files.set(htmlFile, email.html);
        // A BOM so browsers opening the .txt from disk read it as UTF-8 (ä, é, ñ …).
        files.set(textFile, `\uFEFF${email.text}`);
        cells.push({ ...where, htmlFile, textFile, ok: true, email });
      } catch (error) {
        cells.push({ ...where, htmlFile, textFile, ok: false, error: (error as Error).message });
      }
    }
  }
  options.onProgress?.(total, total, 'done');
  const counts = {
    journeys: journeys.length,
    messages: messages.length,
    locales: locales.length,
    renders: cells.filter((c) => c.ok).length,
    failures: cells.filter((c) => !c.ok).length,
  };
  const gallery: Gallery = { locales, journeys, messages, cells, files, counts };
  files.set('index.html', galleryIndexHtml(gallery));
  return gallery;
}

export async function writeGallery(outDir: string, gallery: Gallery): Promise<void> {
  const dirs = new Set([...gallery.files.keys()].map((rel) => path.dirname(path.join(outDir, rel))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  await Promise.all([...gallery.files].map(([rel, content]) => writeFile(path.join(outDir, rel), content)));
}
