/**
 * `simulate --check --update` as a pure function: a scenario's text and a run's result in, the new text
 * and its diff out. The results are written by hand (what a run gives), so no journey has to change.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { checkExpectations } from '../../local/simulate/expectations.ts';
import { readScenario, simulate } from '../../local/simulate/index.ts';
import { scenarioSchema } from '../../local/simulate/scenario.ts';
import type { SimulationResult } from '../../local/simulate/timeline.ts';
import { ExpectationsUpdateError, updateExpectations } from '../../local/simulate/update-expectations.ts';
import { scenarioFiles } from '../support/scenario.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Email = SimulationResult['emails'][number];

function email(
  customerId: string,
  journey: string,
  message: string,
  sentAt: string,
  more: Partial<Email> = {},
): Email {
  return {
    sentAt,
    outboxId: `${journey}#x#${message}`,
    customerId,
    to: `${customerId}@example.com`,
    journey,
    message,
    locale: 'en',
    subject: '',
    text: '',
    html: '',
    headers: {},
    ...more,
  };
}

function event(customerId: string, detailType: string, at: string, detail: Record<string, unknown> = {}) {
  return { at, source: 'journeys', detailType, detail: { customerId, ...detail } };
}

function run(parts: Partial<SimulationResult>): SimulationResult {
  return {
    emails: [],
    events: [],
    rejected: [],
    errors: [],
    timeline: [],
    stats: { virtualDays: 30, wallMs: 1, steps: 1, store: 'memory' },
    ...parts,
  };
}

/** The check `--check` makes, on the text written. */
function problemsAfter(text: string, result: SimulationResult): string[] {
  const scenario = scenarioSchema.parse(parse(text));
  return checkExpectations(scenario, scenario.expect ?? ({} as never), result);
}

describe('updateExpectations', () => {
  it('onboarding waits P3D instead of P2D: only the local time of getting-started changes', async () => {
    // Prepare: what the German onboarding scenario gives once getting-started waits three days.
    const file = 'test/scenarios/onboarding-german-never-orders.yaml';
    const source = await readFile(path.join(root, file), 'utf8');
    const de = { locale: 'de' };
    const result = run({
      emails: [
        email('c1', 'onboarding', 'welcome', '2026-03-02T08:00:00Z', {
          ...de,
          subject: 'Willkommen bei Example Shop',
        }),
        email('c1', 'onboarding', 'getting-started', '2026-03-05T08:00:00Z', de),
        email('c1', 'onboarding', 'first-order-offer', '2026-03-07T08:00:00Z', de),
      ],
      events: [
        event('c1', 'referral.code.created', '2026-03-02T08:00:00Z', { code: 'AAAA-BBBB' }),
        event('c1', 'journey.entered', '2026-03-02T08:00:00Z', { journey: 'onboarding' }),
        event('c1', 'coupon.issued', '2026-03-07T08:00:00Z', { percentOff: 10, journey: 'onboarding' }),
      ],
    });

    // Act
    const update = updateExpectations(source, result, { file });

    // Assess: one line differs, the rest of the file is byte for byte the same.
    expect(update.changed).toBe(true);
    const before = source.split('\n');
    const after = update.text.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = after.flatMap((line, i) => (line === before[i] ? [] : [[before[i], line]]));
    expect(changed).toEqual([
      [
        '    - { customer: c1, journey: onboarding, message: getting-started, local: "2026-03-04 09:00", locale: de }',
        '    - { customer: c1, journey: onboarding, message: getting-started, local: "2026-03-05 09:00", locale: de }',
      ],
    ]);
    expect(update.diff).toContain(`--- ${file} (before)`);
    expect(update.diff).toContain(
      '-    - { customer: c1, journey: onboarding, message: getting-started, local: "2026-03-04 09:00"',
    );
    expect(update.diff).toContain(
      '+    - { customer: c1, journey: onboarding, message: getting-started, local: "2026-03-05 09:00"',
    );
    expect(update.diff).toMatch(/^@@ -\d+,7 \+\d+,7 @@$/m);
    expect(problemsAfter(source, result)).not.toEqual([]);
    expect(problemsAfter(update.text, result)).toEqual([]);
    // A second update has nothing to do.
    const again = updateExpectations(update.text, result, { file });
    expect(again).toMatchObject({ changed: false, diff: '', text: update.text });
  });

  const source = `# A comment at the top, kept.
start: 2026-01-05T09:00:00Z   # start of the run
until: P30D
events:
  - { at: PT0S, detailType: customer.registered, detail: { customerId: a, email: a@example.com, timeZone: Europe/Berlin } }
  - { at: PT0S, detailType: customer.registered, detail: { customerId: b, email: b@example.com, timeZone: America/New_York } }
expect:
  # a's series: the marketer's subject and text checks.
  emails:
    - { customer: a, journey: onboarding, message: welcome, local: "2026-01-05 10:00", subject: "10% off", text: CODE-1 }
    - { customer: a, journey: onboarding, message: getting-started, local: "2026-01-07 10:00" }
    - { customer: a, journey: onboarding, message: reminder }

    # b: one email
    - { customer: b, message: welcome, locale: en }
  noEmails: [c, d]
  events:
    - { customer: a, type: coupon.issued, local: "2026-01-05 10:00", detail: { percentOff: 10, expiresAt: "2026-01-19T09:00:00Z" }, count: 1 }
    - { customer: a, type: referral.code.created }
    - { customer: b, type: journey.goal.reached }
  rejected:
    - { index: 1, field: email }
# A comment at the end, kept.
`;
  const result = run({
    emails: [
      email('a', 'onboarding', 'welcome', '2026-01-05T09:00:00Z', {
        subject: 'Take 15% off',
        text: 'code CODE-2',
      }),
      email('a', 'onboarding', 'first-order-offer', '2026-01-10T09:00:00Z'),
      email('a', 'onboarding', 'reminder', '2026-01-12T09:00:00Z'),
      email('b', 'onboarding', 'welcome', '2026-01-05T09:00:00Z', { locale: 'en' }),
      email('c', 'onboarding', 'welcome', '2026-01-05T09:00:00Z'),
      email('z', 'onboarding', 'welcome', '2026-01-05T09:00:00Z'),
    ],
    events: [
      event('a', 'coupon.issued', '2026-01-10T09:00:00Z', {
        percentOff: 10,
        expiresAt: '2026-01-24T09:00:00Z',
      }),
      event('a', 'referral.code.created', '2026-01-05T09:00:00Z'),
    ],
    rejected: [{ index: 2, detailType: 'order.placed', errors: ['total.amount: must be a decimal string'] }],
  });

  it('keeps what still holds as written, changes what differs, drops what no longer happens, adds the new', () => {
    const update = updateExpectations(source, result, { file: 'what-if.yaml' });
    expect(update.text).toBe(`# A comment at the top, kept.
start: 2026-01-05T09:00:00Z   # start of the run
until: P30D
events:
  - { at: PT0S, detailType: customer.registered, detail: { customerId: a, email: a@example.com, timeZone: Europe/Berlin } }
  - { at: PT0S, detailType: customer.registered, detail: { customerId: b, email: b@example.com, timeZone: America/New_York } }
expect:
  # a's series: the marketer's subject and text checks.
  emails:
    - { customer: a, journey: onboarding, message: welcome, local: "2026-01-05 10:00", subject: "Take 15% off" }
    - { customer: a, journey: onboarding, message: first-order-offer, local: "2026-01-10 10:00" }
    - { customer: a, journey: onboarding, message: reminder }

    # b: one email
    - { customer: b, message: welcome, locale: en }
  noEmails: [d]
  events:
    - { customer: a, type: coupon.issued, local: "2026-01-10 10:00", detail: { percentOff: 10, expiresAt: "2026-01-24T09:00:00Z" }, count: 1 }
    - { customer: a, type: referral.code.created }
  rejected:
    - { index: 2, field: total.amount }
# A comment at the end, kept.
`);
    expect(update.notes).toEqual([
      'a welcome: the subject is now “Take 15% off”',
      'a welcome: the text part no longer contains “CODE-1”; the text: check was removed',
    ]);
    expect(problemsAfter(update.text, result)).toEqual([]);
    expect(updateExpectations(update.text, result).changed).toBe(false);
  });

  it('the diff is unified, with the lines around each change', () => {
    const { diff } = updateExpectations(source, result, { file: 'what-if.yaml' });
    const lines = diff.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '--- what-if.yaml (before)',
      '+++ what-if.yaml (from the run)',
      '@@ -7,17 +7,16 @@',
    ]);
    expect(lines).toContain(
      '-    - { customer: a, journey: onboarding, message: getting-started, local: "2026-01-07 10:00" }',
    );
    expect(lines).toContain(
      '+    - { customer: a, journey: onboarding, message: first-order-offer, local: "2026-01-10 10:00" }',
    );
    expect(lines).toContain('-  noEmails: [c, d]');
    expect(lines).toContain('+  noEmails: [d]');
    expect(lines).toContain('     # b: one email');
  });

  it('refuses a JSON scenario and one without an expect: section, saying what to do', () => {
    expect(() => updateExpectations('{}', run({}), { file: 's.json' })).toThrow(
      /s\.json: --update rewrites YAML scenarios only/,
    );
    const bare = 'start: 2026-01-05T09:00:00Z\nuntil: P3D\n';
    expect(() => updateExpectations(bare, run({}), { file: 'bare.yaml' })).toThrow(ExpectationsUpdateError);
    expect(() => updateExpectations(bare, run({}), { file: 'bare.yaml' })).toThrow(
      /bare\.yaml has no expect: section to update\. Write one naming what matters/,
    );
  });

  it('adds a rejected: list when an input is now rejected and none was expected', () => {
    const text = 'start: 2026-01-05T09:00:00Z\nuntil: P3D\nexpect:\n  noEmails: [x]\n';
    const update = updateExpectations(
      text,
      run({
        rejected: [
          { index: 0, detailType: 'customer.registered', errors: ['email: must be an email address'] },
        ],
      }),
    );
    expect(update.text).toBe(`${text}  rejected:\n    - { index: 0, field: email }\n`);
  });

  it('after a real change of onboarding (getting-started after P3D): the run and the update agree', async () => {
    // Prepare: the project's journeys with onboarding's first wait three days instead of two.
    const dir = await mkdtemp(path.join(tmpdir(), 'journeys-'));
    try {
      await cp(path.join(root, 'journeys'), dir, { recursive: true });
      const onboarding = path.join(dir, 'onboarding.yaml');
      const definition = await readFile(onboarding, 'utf8');
      expect(definition).toContain('  - wait: P2D\n');
      await writeFile(onboarding, definition.replace('  - wait: P2D\n', '  - wait: P3D\n'));
      const { catalog } = await buildCatalog(root, { defaultLocale: 'en', journeysDir: dir });
      const file = path.join(root, 'test/scenarios/onboarding-german-never-orders.yaml');
      const scenario = await readScenario(file);
      const source = await readFile(file, 'utf8');

      // Act
      const result = await simulate(scenario, catalog, { memory: new MemoryTables() });
      const update = updateExpectations(source, result, { file: 'onboarding-german-never-orders.yaml' });

      // Assess
      expect(checkExpectations(scenario, scenario.expect ?? ({} as never), result)).not.toEqual([]);
      expect(update.diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
        '-    - { customer: c1, journey: onboarding, message: getting-started, local: "2026-03-04 09:00", locale: de }',
        '+    - { customer: c1, journey: onboarding, message: getting-started, local: "2026-03-05 09:00", locale: de }',
      ]);
      expect(problemsAfter(update.text, result)).toEqual([]);
      expect(updateExpectations(update.text, result).changed).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('every shipped scenario, run as it is, is left byte for byte as it is', async () => {
    // The scenarios meet their expectations (test/integration/scenarios.test.ts), so there is nothing
    // to follow: an update that changed anything would be rewriting intent, not following it.
    const { catalog } = await buildCatalog(root, { defaultLocale: 'en' });
    const { dir, files } = scenarioFiles();
    expect(files.length).toBeGreaterThan(10);
    for (const name of files) {
      const file = path.join(dir, name);
      const result = await simulate(await readScenario(file), catalog, { memory: new MemoryTables() });
      const update = updateExpectations(await readFile(file, 'utf8'), result, { file: name });
      expect(update.diff, name).toBe('');
      expect(update.notes, name).toEqual([]);
    }
  }, 240_000);
});
