/**
 * `journeys preview`: the email gallery, or one message for one locale and customer.
 *
 *   journeys preview [--out preview/]
 *   journeys preview <journey>/<message> [--locale de-AT] [--customer <fixture.json>] [--out file.html] [--text]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { CatalogError } from '../../functions/catalog/errors.ts';
import { packageRoot } from '../../functions/catalog/package-root.ts';
import { TemplateRenderError } from '../../functions/email/index.ts';
import { FixtureError, PreviewError, UsageError } from '../errors.ts';
import {
  buildGallery,
  type CustomerFixture,
  checkLocale,
  findMessage,
  readCustomerFixture,
  renderOne,
  sampleCustomer,
  writeGallery,
} from './index.ts';

// This repository, or the installed package (from dist/local/…): its shipped journeys and templates.
const ROOT = packageRoot(import.meta.url);

export interface PreviewIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Progress lines may use \r (stderr is a terminal). */
  tty: boolean;
  /** Project directory with journeys/ and templates/. */
  root: string;
  /** Relative paths in the output are relative to this. */
  cwd: string;
}

const defaultIo = (): PreviewIo => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: Boolean(process.stderr.isTTY),
  root: ROOT,
  cwd: process.cwd(),
});

/** The options bin/commands.ts declares for `journeys preview`, as commander parsed them. */
export interface PreviewOptions {
  out?: string;
  locale?: string;
  customer?: string;
  text?: boolean;
  fallback?: boolean;
  defaultLocale: string;
}

/** A gallery without a message; with one, that message for one locale and customer. */
export async function previewCommand(
  single: string | undefined,
  values: PreviewOptions,
  io: PreviewIo = defaultIo(),
): Promise<number> {
  if (single === undefined && (values.locale || values.customer || values.text))
    throw new UsageError('--locale, --customer and --text need a message, e.g. onboarding/welcome');

  const started = Date.now();
  const progress = progressReporter(io, started);
  progress('Building the catalog (journeys + templates)…');
  let catalog: Catalog;
  try {
    ({ catalog } = await buildCatalog(io.root, { defaultLocale: values.defaultLocale }));
  } catch (error) {
    progress.clear();
    if (error instanceof CatalogError) {
      io.err(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  try {
    if (single !== undefined) {
      progress.clear();
      return await previewOne(catalog, single, values, io);
    }
    return await previewGallery(catalog, values.out ?? 'preview', io, progress, started);
  } catch (error) {
    progress.clear();
    if (error instanceof PreviewError || error instanceof FixtureError) {
      io.err(`journeys preview: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function previewOne(
  catalog: Catalog,
  ref: string,
  values: PreviewOptions,
  io: PreviewIo,
): Promise<number> {
  const message = findMessage(catalog, ref);
  const fixtureFile = values.customer ? path.resolve(io.cwd, values.customer) : undefined;
  const fixture: CustomerFixture | undefined = fixtureFile
    ? await readCustomerFixture(fixtureFile).catch((error: unknown) => {
        if (error instanceof FixtureError && values.customer)
          throw new FixtureError(error.message.replace(fixtureFile, values.customer));
        throw error;
      })
    : undefined;
  const requested = values.locale ?? fixture?.locale ?? catalog.templates.defaultLocale;
  const locale = checkLocale(catalog, message.template, requested);
  if (locale.fallback && !values.fallback) {
    throw new PreviewError(
      `locale "${requested}" is not shipped; shipped locales: ${catalog.templates.locales.join(', ')}. ` +
        `Recipients with ${locale.requested} get ${locale.resolved}: add --fallback to preview that.`,
    );
  }
  const customer = { ...(fixture ?? sampleCustomer(locale.requested)), locale: locale.requested };

  let email: Awaited<ReturnType<typeof renderOne>>;
  try {
    email = await renderOne({ catalog, message, locale: locale.requested, customer });
  } catch (error) {
    if (error instanceof TemplateRenderError) throw new PreviewError(`cannot render: ${error.message}`);
    throw error;
  }

  const key = `${message.journeyId}/${message.messageId}`;
  const arrow = locale.requested === email.locale ? email.locale : `${locale.requested} → ${email.locale}`;
  const meta = [
    `${key}  ${arrow}${locale.fallback ? ' (fallback: not a shipped language)' : ''}`,
    `  Locale:    ${email.locale}`,
    `  Subject:   ${email.subject}`,
    `  Preheader: ${email.preheader}`,
    `  Customer:  ${customer.firstName ?? '(no first name)'} <${customer.email}> · ${customer.timeZone} · ${customer.orderCount} order(s)${
      values.customer ? ` (${values.customer})` : ' (sample)'
    }`,
  ];
  if (values.text) {
    io.err(`${meta.join('\n')}\n\n`);
    io.out(email.text);
    return 0;
  }
  const outFile = path.resolve(
    io.cwd,
    values.out ?? path.join('preview', message.journeyId, `${message.messageId}.${locale.requested}.html`),
  );
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, email.html);
  meta.push(`  HTML:      ${path.relative(io.cwd, outFile) || outFile}`);
  io.out(`${meta.join('\n')}\n`);
  return 0;
}

async function previewGallery(
  catalog: Catalog,
  out: string,
  io: PreviewIo,
  progress: ReturnType<typeof progressReporter>,
  started: number,
): Promise<number> {
  const outDir = path.resolve(io.cwd, out);
  const gallery = await buildGallery(catalog, {
    onProgress: (done, total, label) => {
      if (done < total) progress(`Rendering ${done + 1}/${total}  ${label}`);
    },
  });
  progress('Writing files…');
  await writeGallery(outDir, gallery);
  progress.clear();
  const { counts } = gallery;
  const index = path.join(outDir, 'index.html');
  const shown = path.relative(io.cwd, index) || index;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  io.out(
    `${counts.failures ? '✗' : '✓'} ${shown}\n` +
      `  ${counts.journeys} journeys, ${counts.messages} messages, ${counts.locales} locales (${gallery.locales.join(', ')}): ` +
      `${counts.renders} renders${counts.failures ? `, ${counts.failures} failed` : ''} in ${seconds} s\n` +
      `  open file://${index}\n`,
  );
  for (const cell of gallery.cells) {
    if (!cell.ok) io.err(`  ✗ ${cell.journeyId}/${cell.messageId} ${cell.locale}: ${cell.error}\n`);
  }
  return counts.failures ? 1 : 0;
}

/** Progress on stderr, but only once the command has taken more than a second. */
function progressReporter(io: PreviewIo, started: number) {
  let shown = false;
  let lastLine = '';
  let lastWrite = 0;
  const report = (line: string) => {
    const now = Date.now();
    if (now - started < 1000) {
      lastLine = line;
      return;
    }
    if (io.tty) {
      if (now - lastWrite < 50 && shown) return;
      io.err(`\r\u001b[2K${line}`);
      shown = true;
      lastWrite = now;
      return;
    }
    // Not a terminal: one line per phase, not per render.
    const phase = line.split(/\s/)[0] ?? line;
    if (phase !== (lastLine.split(/\s/)[0] ?? '') || !shown) io.err(`${line}\n`);
    shown = true;
    lastLine = line;
  };
  report.clear = () => {
    if (shown && io.tty) io.err('\r\u001b[2K');
    shown = false;
  };
  return report;
}
