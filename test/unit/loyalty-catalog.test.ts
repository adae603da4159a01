/**
 * loyalty.yaml in the catalog: parsed with its defaults, every problem reported with file, line, path
 * and reason (`journeys validate`, the catalog build), and the program carried by the runtime catalog.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { NO_LOYALTY_PROGRAM } from '../../functions/catalog/catalog.ts';
import { CatalogError } from '../../functions/catalog/errors.ts';
import { describeProgram, loadLoyaltyProgram, parseLoyaltyProgram } from '../../functions/catalog/loyalty.ts';
import { loyaltyJsonSchema } from '../../functions/catalog/schemas.ts';
import { validateProject } from '../../functions/catalog/validate.ts';
import { loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FILE = 'loyalty.yaml';

const program = (overrides = '') => `enabled: true
earning:
  pointsPerUnit: { EUR: 1, GBP: 1 }
tiers:
  levels:
    - id: member
      threshold: 0
    - id: silver
      threshold: 500
rewards:
  - id: five-off
    points: 500
    amountOff: { EUR: "5.00", GBP: "4.00" }
${overrides}`;

const errorsOf = (source: string) =>
  parseLoyaltyProgram(FILE, source).errors.map((e) => `${e.line}:${e.path} — ${e.message}`);

describe('parseLoyaltyProgram', () => {
  it('reads the shipped program with its defaults', async () => {
    const loaded = await loadLoyaltyProgram(path.join(ROOT, FILE));
    expect(loaded.errors).toEqual([]);
    expect(loaded.program?.earning.hold).toBe('P14D');
    expect(loaded.program?.tiers.levels.map((t) => t.id)).toEqual(['member', 'silver', 'gold']);
    expect(describeProgram(loaded.program as NonNullable<typeof loaded.program>)).toBe(
      'loyalty program: tiers member, silver, gold; 3 rewards; switched off (enabled: false)',
    );
    expect(loaded.program?.enabled).toBe(false);
  });

  it('fills in what a minimal program leaves out', () => {
    const loaded = parseLoyaltyProgram(FILE, program());
    expect(loaded.errors).toEqual([]);
    expect(loaded.program).toMatchObject({
      earning: { rounding: 'down', hold: 'P14D', bonuses: { registration: 0 } },
      tiers: { period: 'rolling12Months', downgradeGrace: 'P30D' },
      expiry: { after: 'P12M', reminderBefore: 'P30D' },
    });
  });

  it('names line, path and reason of every problem', () => {
    const source = `enabled: true
earning:
  pointsPerUnit: { EUR: 1 }
  hold: two weeks
  bonus: { registration: 100 }
tiers:
  levels:
    - id: member
      threshold: 10
    - id: Gold
      threshold: 5
rewards:
  - id: five-off
    points: 500
    amountOff: { EUR: "5.00" }
    percentOff: 10
`;
    expect(errorsOf(source)).toEqual([
      '4:earning.hold — must be a non-negative ISO 8601 duration such as PT1H, P2D or P2W',
      '5:earning.bonus — unknown key "bonus"',
      '9:tiers.levels.0.threshold — the first tier must have threshold 0 (every member has a tier)',
      '10:tiers.levels.1.id — must be kebab-case: lower-case letters, digits and dashes',
      '11:tiers.levels.1.threshold — must be above 10, the threshold of member (tiers go up in order)',
      '13:rewards.0 — needs exactly one of amountOff or percentOff',
    ]);
  });

  it('refuses a fixed-amount reward without an amount for a currency that earns points', () => {
    const source = program().replace('amountOff: { EUR: "5.00", GBP: "4.00" }', 'amountOff: { EUR: "5.00" }');
    expect(errorsOf(source)).toEqual([
      '13:rewards.0.amountOff — has no amount for GBP, which earns points (earning.pointsPerUnit): members paying in it could never redeem this reward',
    ]);
  });

  it('reports a syntax error, an empty file and a missing required section', () => {
    expect(errorsOf('earning: [\n')[0]).toMatch(/^\d+: — YAML syntax error: /);
    expect(errorsOf('')).toEqual([
      '1: — the file is empty; a program needs earning and tiers (or delete the file: no program)',
    ]);
    expect(errorsOf('earning:\n  pointsPerUnit: { EUR: 1 }\n')).toEqual(['1:tiers — required']);
  });

  it('treats a missing file as no program, not as an error', async () => {
    expect(await loadLoyaltyProgram(path.join(tmpdir(), 'no-such-dir', FILE))).toEqual({
      errors: [],
      missing: true,
    });
    expect(NO_LOYALTY_PROGRAM.enabled).toBe(false);
  });

  it('falls back on exactly what the schema makes of the smallest switched-off program', () => {
    expect(
      loyaltyProgramSchema.parse({
        enabled: false,
        earning: { pointsPerUnit: { EUR: 1 } },
        tiers: { levels: [{ id: 'member', threshold: 0 }] },
      }),
    ).toEqual(NO_LOYALTY_PROGRAM);
  });
});

describe('the catalog and journeys validate', () => {
  it('carry the program; a broken program fails the build with file, path and reason', async () => {
    const { catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' });
    expect(catalog.loyalty?.rewards.map((r) => r.id)).toEqual(['five-off', 'fifteen-off', 'twenty-percent']);
    // Through JSON, as Lambda reads it.
    expect(JSON.parse(JSON.stringify(catalog)).loyalty).toEqual(catalog.loyalty);

    const dir = await mkdtemp(path.join(tmpdir(), 'loyalty-'));
    const broken = path.join(dir, FILE);
    await writeFile(broken, program('    validFor: 90 days\n'));
    const failure = await buildCatalog(ROOT, { defaultLocale: 'en', loyaltyFile: broken }).catch((e) => e);
    expect(failure).toBeInstanceOf(CatalogError);
    expect((failure as CatalogError).message).toContain(
      `${FILE}:14 rewards.0.validFor — must be a non-negative ISO 8601 duration`,
    );

    const report = await validateProject(ROOT, { loyaltyFile: broken, checks: [] });
    expect(report.loyalty).toMatchObject({ file: broken, ok: false, summary: '1 error' });
    expect(report.errors).toEqual(report.loyalty?.errors);
  });

  it('builds without a program when the project has no loyalty.yaml', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'no-loyalty-'));
    const journeysDir = path.join(dir, 'journeys');
    await writeFile(path.join(dir, 'package.json'), '{}');
    await import('node:fs/promises').then((fs) => fs.mkdir(journeysDir));
    await copyFile(path.join(ROOT, 'journeys/onboarding.yaml'), path.join(journeysDir, 'onboarding.yaml'));
    const report = await validateProject(dir, { journeysDir, checks: [] });
    expect(report.loyalty).toBeUndefined();
    expect(report.errors).toEqual([]);
  });

  it('journeys validate prints the program line, and every error of a broken one', async () => {
    const run = async (...args: string[]) => {
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['bin/journeys.js', 'validate', ...args],
          {
            cwd: ROOT,
          },
        );
        return { code: 0, stdout };
      } catch (error) {
        const e = error as { code: number; stdout: string };
        return { code: e.code, stdout: e.stdout };
      }
    };
    const clean = await run();
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('✓ loyalty.yaml — loyalty program: tiers member, silver, gold; 3 rewards');

    const dir = await mkdtemp(path.join(tmpdir(), 'loyalty-cli-'));
    const broken = path.join(dir, FILE);
    await writeFile(broken, program().replace('threshold: 500', 'threshold: -1'));
    const failed = await run('--loyalty', broken);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('✗ loyalty.yaml — 2 errors');
    expect(failed.stdout).toContain(`${broken}:9 tiers.levels.1.threshold — must be 0 or more`);
    expect(failed.stdout).toContain('✗ 2 errors;');
  });
});

describe('loyalty.schema.json', () => {
  it('describes the input side: defaulted fields are optional', () => {
    const schema = loyaltyJsonSchema() as { required?: string[]; title: string };
    expect(schema.title).toBe('Loyalty program');
    expect(schema.required?.sort()).toEqual(['earning', 'tiers']);
  });
});
