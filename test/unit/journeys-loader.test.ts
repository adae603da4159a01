import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  type DefinitionError,
  formatDefinitionError,
  loadJourneys,
  parseJourney,
} from '../../functions/catalog/journeys.ts';
import { validateProject } from '../../functions/catalog/validate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/fixtures');
const invalidDir = path.join(fixtures, 'journeys-invalid');

const minimal = (extra = '') =>
  `id: x\nname: X\ntrigger: { event: order.placed }\nmessages: { a: { class: marketing } }\n${extra}`;

describe('loadJourneys', () => {
  it('loads the shipped journeys without errors', async () => {
    const { journeys, errors } = await loadJourneys(path.join(root, 'journeys'));
    expect(errors).toEqual([]);
    const onboarding = journeys.find((j) => j.definition.id === 'onboarding');
    expect(onboarding).toBeDefined();
    expect(onboarding?.file).toBe(path.join(root, 'journeys/onboarding.yaml'));
    expect(onboarding?.version).toMatch(/^[0-9a-f]{12}$/);
    // defaults are applied
    expect(onboarding?.definition.enabled).toBe(true);
  });

  it('gives the same version regardless of key order, formatting, comments and explicit defaults', async () => {
    const a = await loadJourneys(path.join(root, 'journeys'));
    const b = await loadJourneys(path.join(fixtures, 'journeys-reordered'));
    expect(b.errors).toEqual([]);
    const va = a.journeys.find((j) => j.definition.id === 'onboarding')?.version;
    expect(va).toBeDefined();
    expect(b.journeys[0]?.version).toBe(va);
    // and loading twice is stable
    const again = await loadJourneys(path.join(root, 'journeys'));
    expect(again.journeys.find((j) => j.definition.id === 'onboarding')?.version).toBe(va);
  });

  it('changes the version when the definition changes', () => {
    const one = parseJourney('x.yaml', minimal('steps: [{ send: a }, { wait: P1D }]'));
    const two = parseJourney('x.yaml', minimal('steps: [{ send: a }, { wait: P2D }]'));
    expect(one.errors).toEqual([]);
    expect(two.errors).toEqual([]);
    expect(one.journey?.version).not.toBe(two.journey?.version);
  });

  it('reports every error of every file with file, path, line and reason', async () => {
    const { journeys, errors } = await loadJourneys(invalidDir);
    const at = (file: string) => path.join(invalidDir, file);
    const expected: DefinitionError[] = [
      {
        file: at('bad-duration.yaml'),
        path: 'steps.1.wait',
        line: 10,
        message: expect.stringMatching(/non-negative ISO 8601 duration/),
      },
      {
        file: at('bad-duration.yaml'),
        path: 'steps.2.wait.sinceEntry',
        line: 11,
        message: expect.stringMatching(/non-negative ISO 8601 duration/),
      },
      {
        file: at('bad-duration.yaml'),
        path: 'steps.3.send',
        line: 12,
        message: 'sends message "first-order-offer", which is not declared under messages',
      },
      {
        file: at('unknown-step.yaml'),
        path: 'steps.1',
        line: 10,
        message: expect.stringMatching(
          /unknown step "branch"; a step is one of: send, wait, emit, waitFor, if/,
        ),
      },
      {
        file: at('unknown-step.yaml'),
        path: 'steps.2.send',
        line: 12,
        message: expect.stringMatching(/"not-declared", which is not declared/),
      },
      {
        file: at('broken-syntax.yaml'),
        path: '',
        line: expect.any(Number),
        message: expect.stringMatching(/^YAML syntax error: /),
      },
      {
        file: at('wrong-name.yaml'),
        path: 'id',
        line: 1,
        message: expect.stringMatching(/"win-back" must equal the file name "wrong-name"/),
      },
    ];
    for (const e of expected) expect(errors).toContainEqual(e);
    expect(errors).toHaveLength(expected.length);
    const syntax = errors.find((e) => e.file.endsWith('broken-syntax.yaml'));
    expect(syntax?.line).toBeGreaterThanOrEqual(6);
    // the one valid file in the directory still loads
    expect(journeys.map((j) => j.definition.id)).toEqual(['valid']);
  });

  it('reports duplicate ids in every file that uses them', async () => {
    const { journeys, errors } = await loadJourneys(path.join(fixtures, 'journeys-duplicate'));
    expect(journeys).toEqual([]);
    expect(errors.map((e) => [path.basename(e.file), e.path, e.line])).toEqual([
      ['dup.yaml', 'id', 1],
      ['dup.yml', 'id', 1],
    ]);
    expect(errors[0]?.message).toMatch(/duplicate journey id "dup", also used by dup.yml/);
  });

  it('reports an empty or missing directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'journeys-empty-'));
    try {
      await writeFile(path.join(dir, 'README.md'), 'not a journey');
      const empty = await loadJourneys(dir);
      expect(empty.errors).toEqual([
        { file: dir, path: '', message: expect.stringMatching(/no journey definitions/) },
      ]);
      const missing = await loadJourneys(path.join(dir, 'nope'));
      expect(missing.errors[0]?.message).toBe('directory not found');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseJourney messages', () => {
  const errorsOf = (yaml: string) =>
    parseJourney('x.yaml', yaml).errors.map((e) => `${e.line} ${e.path} — ${e.message}`);

  it('names missing fields and unknown keys with their lines', () => {
    expect(
      errorsOf('id: x\nname: X\ntrigger: { event: order.placed }\nexitsOn: []\nsteps: [{ send: a }]\n'),
    ).toEqual(['1 messages — required', '4 exitsOn — unknown key "exitsOn"']);
  });

  it('explains a union member by the alternative the author meant', () => {
    expect(errorsOf(minimal('steps:\n  - send: { message: a, coupon: { percentOff: 10 } }\n'))).toEqual([
      '6 steps.0.send.coupon.validFor — required',
    ]);
    expect(errorsOf(minimal('steps:\n  - wait: 5\n'))).toEqual([
      '6 steps.0.wait — must be string or object, not number 5',
    ]);
    expect(errorsOf(minimal('steps:\n  - send: a\n    wait: P1D\n'))[0]).toMatch(
      /^6 steps.0 — combines "send" and "wait"; a step is one of/,
    );
    expect(errorsOf(minimal('steps:\n  - if: { orders: { count: {} } }\n    then: [{ send: a }]\n'))).toEqual(
      ['6 steps.0.if.orders.count — needs at least one of eq, gt, gte, lt, lte'],
    );
    expect(errorsOf(minimal('steps:\n  - if: { orderz: {} }\n    then: [{ send: a }]\n'))[0]).toMatch(
      /^6 steps.0.if — unknown condition "orderz" \(did you mean "orders"\?\); a condition is one of: profile, orders, event, entries, loyalty, all, any, not$/,
    );
  });

  it('names the step or message a typo meant, and nothing for a word that is not one', () => {
    expect(errorsOf(minimal('steps:\n  - wiat: P1D\n  - send: b\n'))).toEqual([
      '6 steps.0 — unknown step "wiat" (did you mean "wait"?); a step is one of: send, wait, emit, waitFor, if + then',
      '7 steps.1.send — sends message "b", which is not declared under messages',
    ]);
    expect(
      errorsOf(
        'id: x\nname: X\ntrigger: { event: order.placed }\nmessages: { welcome: { class: marketing } }\nsteps:\n  - send: welcom\n',
      ),
    ).toEqual([
      '6 steps.0.send — sends message "welcom", which is not declared under messages (did you mean "welcome"?)',
    ]);
  });

  it('reports YAML syntax errors with their line and does not validate further', () => {
    expect(errorsOf('id: x\nname: [unclosed\n')).toEqual([
      expect.stringMatching(/^\d+ {2}— YAML syntax error: /),
    ]);
  });
});

describe('formatDefinitionError', () => {
  it('prints file:line path — reason, relative to the working directory', () => {
    expect(
      formatDefinitionError({
        file: path.join(process.cwd(), 'journeys/onboarding.yaml'),
        path: 'steps.2.wait',
        line: 23,
        message: 'must be a non-negative ISO 8601 duration such as PT1H, P2D or P2W',
      }),
    ).toBe(
      'journeys/onboarding.yaml:23 steps.2.wait — must be a non-negative ISO 8601 duration such as PT1H, P2D or P2W',
    );
    expect(formatDefinitionError({ file: 'journeys', path: '', message: 'no journey definitions' })).toBe(
      'journeys — no journey definitions',
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: undefined, a: 0 }], a: 'x' })).toBe(
      '{"a":"x","b":[2,{"a":0,"d":1}]}',
    );
  });
});

describe('validateProject', () => {
  it('reports one line per journey file and runs extra checks', async () => {
    const report = await validateProject(root, {
      journeysDir: invalidDir,
      checks: [
        async ({ journeys }) =>
          journeys.map((j) => ({ file: j.file, path: 'messages.thanks', message: 'template missing' })),
      ],
    });
    expect(report.files.map((f) => [path.basename(f.file), f.ok, f.summary])).toEqual([
      ['bad-duration.yaml', false, '3 errors'],
      ['broken-syntax.yaml', false, '1 error'],
      ['unknown-step.yaml', false, '2 errors'],
      ['valid.yaml', false, '1 error'],
      ['wrong-name.yaml', false, '1 error'],
    ]);
    expect(report.errors).toHaveLength(8);
    const clean = await validateProject(root);
    expect(clean.errors).toEqual([]);
    expect(clean.files.find((f) => f.file.endsWith('onboarding.yaml'))?.summary).toBe(
      'Onboarding, 3 messages, 7 steps',
    );
  });
});
