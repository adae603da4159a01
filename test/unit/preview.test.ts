/**
 * `journeys preview`: the gallery of the shipped catalog (every message × every shipped locale, no Liquid
 * left over, every journey listed) and the single-message mode (locale fallback, fixtures, clear errors).
 * Writes into a temp dir; no network.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewSpec } from '../../bin/commands.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { verifyToken } from '../../functions/core/tokens.ts';
import { FixtureError, PreviewError } from '../../local/errors.ts';
import { type PreviewIo, type PreviewOptions, previewCommand } from '../../local/preview/cli.ts';
import {
  buildGallery,
  durationWords,
  findMessage,
  journeyMessages,
  PREVIEW_ENGINE,
  PREVIEW_SECRET,
  parseCustomerFixture,
  previewJourney,
  sampleCustomer,
  sampleRenderData,
  sampleSend,
} from '../../local/preview/index.ts';
import { parseCommandLine } from '../support/cli.ts';
import { World } from '../support/engine-world.ts';

/** `journeys preview <argv>`, parsed as the CLI parses it, run in process with the test's io. */
function preview(argv: string[], cli: PreviewIo): Promise<number> {
  const { args, options } = parseCommandLine<PreviewOptions>(previewSpec(), argv);
  return previewCommand(args[0], options, cli);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LEFTOVER_LIQUID = /\{\{|\{%|%\}|\}\}/;

let dir: string;
let catalog: Catalog;

function io(): PreviewIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    tty: false,
    root,
    cwd: dir,
    stdout: () => out,
    stderr: () => err,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'journeys-preview-'));
  ({ catalog } = await buildCatalog(root, { defaultLocale: 'en' }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('journeys preview (gallery)', () => {
  let stdout = '';
  let code = -1;
  const out = () => path.join(dir, 'gallery');

  beforeAll(async () => {
    const cli = io();
    code = await preview(['--out', 'gallery'], cli);
    stdout = cli.stdout();
  });

  it('renders every message of every journey in every shipped locale, with nothing left of Liquid', async () => {
    expect(code).toBe(0);
    const locales = catalog.templates.locales;
    expect(locales).toEqual(expect.arrayContaining(['de', 'en', 'es', 'fr', 'it']));
    const messages = catalog.journeys.flatMap((j) => journeyMessages(j.definition));
    expect(messages.length).toBeGreaterThanOrEqual(15);
    for (const m of messages) {
      for (const locale of locales) {
        for (const ext of ['html', 'txt']) {
          const file = path.join(out(), m.journeyId, `${m.messageId}.${locale}.${ext}`);
          const content = await readFile(file, 'utf8');
          expect(content, file).not.toMatch(LEFTOVER_LIQUID);
          expect(content, file).not.toMatch(/undefined|NaN|\[object Object\]/);
          expect(content.trim().length, file).toBeGreaterThan(100);
          if (ext === 'html') expect(content, file).toContain(`lang="${locale}"`);
        }
      }
    }
    const renders = messages.length * locales.length;
    expect(stdout).toContain(path.join('gallery', 'index.html'));
    expect(stdout).toContain(
      `${catalog.journeys.length} journeys, ${messages.length} messages, ${locales.length} locales`,
    );
    expect(stdout).toContain(`${renders} renders`);
  });

  it('index.html lists every journey and message, with a ✓ per cell of the coverage matrix', async () => {
    const index = await readFile(path.join(out(), 'index.html'), 'utf8');
    expect(index).not.toMatch(LEFTOVER_LIQUID);
    for (const { definition: j } of catalog.journeys) {
      expect(index).toContain(`id="j--${j.id}"`);
      expect(index).toContain(j.name.replace(/&/g, '&amp;'));
      for (const m of Object.keys(j.messages)) expect(index).toContain(`id="m--${j.id}--${m}"`);
    }
    const cells = catalog.journeys.flatMap((j) => journeyMessages(j.definition)).length;
    expect(index.match(/<td class="lc [^"]+ ok">/g)?.length).toBe(cells * catalog.templates.locales.length);
    expect(index).not.toContain('class="lc l-en bad"');
    // Offline and file:// only: nothing is loaded from anywhere else.
    expect(index).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/[^"]*\.(js|css)\b/);
    // Every iframe points at a file that exists.
    for (const [, src] of index.matchAll(/<iframe src="([^"]+)"/g)) {
      await expect(readFile(path.join(out(), src ?? ''), 'utf8')).resolves.toContain('<html');
    }
    // Journey steps in words.
    expect(index).toContain('Wait 2 days');
    expect(index).toContain('with a 10 % coupon, valid 14 days');
  });

  it('writes only the gallery into the output directory', async () => {
    const entries = (await readdir(out())).sort();
    expect(entries).toEqual(['index.html', ...catalog.journeys.map((j) => j.definition.id)].sort());
  });
});

describe('journeys preview <journey>/<message>', () => {
  it('resolves de-AT to de, writes the HTML and prints locale and subject', async () => {
    const cli = io();
    const code = await preview(['onboarding/welcome', '--locale', 'de-AT', '--out', 'one.html'], cli);
    expect(code).toBe(0);
    expect(cli.stdout()).toContain('onboarding/welcome  de-AT → de');
    expect(cli.stdout()).toMatch(/Subject: {3}Willkommen bei /);
    const html = await readFile(path.join(dir, 'one.html'), 'utf8');
    expect(html).toContain('lang="de"');
    expect(html).not.toMatch(LEFTOVER_LIQUID);
  });

  it('renders with a customer fixture and prints the text part with --text', async () => {
    const cli = io();
    const fixture = path.join(root, 'test/fixtures/customers/anna.json');
    const code = await preview(['post-purchase/thank-you-first', '--customer', fixture, '--text'], cli);
    expect(code).toBe(0);
    expect(cli.stderr()).toContain('de-AT → de');
    expect(cli.stdout()).toContain('Hallo Anna');
    expect(cli.stdout()).toContain('AT-20417');
    // Austrian German money format for the fixture's own items: 39.90 + 2 × 14.50.
    expect(cli.stdout().replace(/\u00a0/g, ' ')).toContain('€ 68,90');
    expect(cli.stdout()).not.toMatch(LEFTOVER_LIQUID);
  });

  it('accepts a journey that borrows a template (referral-invite/invite-friends)', async () => {
    const cli = io();
    expect(await preview(['referral-invite/invite-friends', '--locale', 'fr', '--text'], cli)).toBe(0);
    expect(cli.stderr()).toContain('referral-invite/invite-friends  fr');
  });

  it('fails clearly on an unknown message, listing the messages there are', async () => {
    const cli = io();
    expect(await preview(['onboarding/no-such-message', '--locale', 'de'], cli)).toBe(1);
    expect(cli.stderr()).toContain(
      'journey "onboarding" has no message "no-such-message"; it sends: welcome, getting-started, first-order-offer',
    );
    const other = io();
    expect(await preview(['nope/welcome'], other)).toBe(1);
    expect(other.stderr()).toContain('unknown message "nope/welcome"');
    expect(other.stderr()).toContain('onboarding/welcome');
    expect(() => findMessage(catalog, 'welcome')).toThrow(PreviewError);
  });

  it('fails clearly on a locale that is no locale or is not shipped, unless --fallback', async () => {
    const bad = io();
    expect(await preview(['onboarding/welcome', '--locale', 'x_!'], bad)).toBe(1);
    expect(bad.stderr()).toContain(
      '"x_!" is not a locale tag such as de-AT; shipped locales: de, en, es, fr, it',
    );
    const unshipped = io();
    expect(await preview(['onboarding/welcome', '--locale', 'pt-BR'], unshipped)).toBe(1);
    expect(unshipped.stderr()).toContain(
      'locale "pt-BR" is not shipped; shipped locales: de, en, es, fr, it',
    );
    const allowed = io();
    expect(await preview(['onboarding/welcome', '--locale', 'pt-BR', '--fallback', '--text'], allowed)).toBe(
      0,
    );
    expect(allowed.stderr()).toContain('pt-BR → en');
  });

  it('names the field of a bad customer fixture', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ email: 'anna@example.at', locale: 'de-AT', orderCount: 'three' }));
    const cli = io();
    expect(await preview(['onboarding/welcome', '--customer', 'bad.json'], cli)).toBe(1);
    expect(cli.stderr()).toContain('bad.json: orderCount:');
    expect(() => parseCustomerFixture({ locale: 'de' }, 'x.json')).toThrow('x.json: email: is required');
    expect(() => parseCustomerFixture({ email: 'a@b.de', locale: 'de', timeZone: 'Mars/Olympus' })).toThrow(
      /timeZone: must be an IANA time zone/,
    );
    expect(() => parseCustomerFixture({ email: 'a@b.de', locale: 'de', fistName: 'A' })).toThrow(
      /unknown field fistName/,
    );
    expect(() => parseCustomerFixture(null)).toThrow(FixtureError);
  });

  it('shipped fixtures are valid', async () => {
    const fixtures = path.join(root, 'test/fixtures/customers');
    for (const name of await readdir(fixtures)) {
      const json = JSON.parse(await readFile(path.join(fixtures, name), 'utf8')) as unknown;
      expect(() => parseCustomerFixture(json, name)).not.toThrow();
    }
  });
});

describe('a disabled journey in the gallery', () => {
  it('is shown, marked as disabled, with its emails as it would send them', async () => {
    const journeys = catalog.journeys.map((j) =>
      j.definition.id === 'birthday' ? { ...j, definition: { ...j.definition, enabled: false } } : j,
    );
    const gallery = await buildGallery({ ...catalog, journeys });
    expect(gallery.counts.failures).toBe(0);
    const index = gallery.files.get('index.html') ?? '';
    expect(index).toContain('<section class="journey disabled" id="j--birthday">');
    expect(index).toContain('<b>Disabled</b> no new entrants; customers inside finish');
    expect(gallery.files.get('birthday/birthday.de.html')).toContain('Torstraße 110');
  });
});

describe('sample data', () => {
  const dataFor = (ref: string, locale: string) => {
    const [journeyId = '', messageId = ''] = ref.split('/');
    const customer = sampleCustomer(locale);
    const send = sampleSend(previewJourney(catalog, journeyId), messageId, customer);
    return { send, data: sampleRenderData(send, customer) };
  };

  it('is locale-typical: currency, names, signed links', () => {
    const { send, data: de } = dataFor('post-purchase/review-request', 'de');
    expect(de.customer.firstName).toBe('Lena');
    expect(de.order?.total).toEqual({ amount: '48.50', currency: 'EUR' });
    expect(de.order?.items).toHaveLength(3);
    expect(de.links.feedback).toHaveLength(11);
    expect(de.links.shop).toMatch(/^https:\/\/shop\.example\.com\//);
    const token = new URL(de.links.unsubscribe ?? '').searchParams.get('token') ?? '';
    expect(verifyToken(PREVIEW_SECRET, token, 'unsubscribe', send.at).ok).toBe(true);
    const { data: en } = dataFor('referral-reward/referral-reward', 'en');
    expect(en.reward).toEqual({ amount: '9.00', currency: 'GBP' });
    expect(en.links.unsubscribe).toBeUndefined();
  });

  it("is what decide sends the same customer: the engine's send effect, not data of its own", () => {
    // Prepare: the preview's story of a first-time buyer's review request
    const customer = { ...sampleCustomer('de'), orderCount: 1 };
    const journey = previewJourney(catalog, 'post-purchase');
    const send = sampleSend(journey, 'review-request', customer);
    // Act: the same customer, driven through decide by the engine tests' world, order delivered a day later
    const world = new World(journey.definition, '2026-03-05T08:30:00Z', PREVIEW_ENGINE);
    world.deliver('customer.registered', {
      customerId: send.customerId,
      email: customer.email,
      firstName: customer.firstName,
      locale: customer.locale,
      timeZone: customer.timeZone,
      marketingConsent: true,
      registeredAt: world.now,
    });
    world.now = '2026-03-05T09:30:00Z';
    const order = send.effect.data.order;
    world.deliver('order.placed', {
      customerId: send.customerId,
      orderId: order?.orderId,
      placedAt: world.now,
      total: order?.total,
      items: order?.items,
    });
    world.runUntil('2026-03-06T09:30:00Z');
    world.deliver('order.delivered', {
      customerId: send.customerId,
      orderId: order?.orderId,
      deliveredAt: world.now,
    });
    world.runUntil('2026-04-30T00:00:00Z');
    // Assess
    const sent = world.sends.find((s) => s.message === 'review-request');
    expect(sent?.effect).toEqual(send.effect);
    expect(sent?.at).toBe(send.at);
  });

  it('says durations in words', () => {
    expect(durationWords('P2D')).toBe('2 days');
    expect(durationWords('P1D')).toBe('1 day');
    expect(durationWords('PT1H30M')).toBe('1 hour 30 minutes');
  });
});
