/**
 * The loyalty program file, `loyalty.yaml` in the project root: read, validated against the program's
 * schema (core/loyalty/program.ts) and checked for what the schema cannot see, every problem reported
 * with file, dotted path, line and reason like a journey's. Used by `journeys validate`, the catalog
 * build (CDK synth, local start) and the tests.
 */
import { readFile } from 'node:fs/promises';
import { type LoyaltyProgram, loyaltyProgramSchema } from '../core/loyalty/program.ts';
import { type DefinitionError, explainIssues, readYamlFile } from './journeys.ts';

export const LOYALTY_FILE = 'loyalty.yaml';

export interface LoadedProgram {
  /** Undefined when the file has errors or does not exist. */
  program?: LoyaltyProgram | undefined;
  errors: DefinitionError[];
  /** The file does not exist: the project has no loyalty program (not an error). */
  missing?: boolean | undefined;
}

export async function loadLoyaltyProgram(file: string): Promise<LoadedProgram> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { errors: [], missing: true };
    return { errors: [{ file, path: '', message: String(error) }] };
  }
  return parseLoyaltyProgram(file, source);
}

/** Parses and validates the text of a program file; `file` names it in the errors. */
export function parseLoyaltyProgram(file: string, source: string): LoadedProgram {
  const read = readYamlFile(file, source);
  if ('syntaxErrors' in read) return { errors: read.syntaxErrors };
  const { raw, errors, report } = read;
  if (raw === null || raw === undefined) {
    report([], 'the file is empty; a program needs earning and tiers (or delete the file: no program)');
    return { errors };
  }
  const result = loyaltyProgramSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of explainIssues(result.error.issues, [], raw)) report(issue.path, issue.message);
  } else {
    for (const [p, message] of programProblems(result.data)) report(p, message);
  }
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return errors.length > 0 || !result.success ? { errors } : { program: result.data, errors };
}

/**
 * What the schema cannot see: a fixed-amount reward must name an amount for every currency that earns
 * points, or members paying in that currency collect points they can never spend on it.
 */
function programProblems(program: LoyaltyProgram): [PropertyKey[], string][] {
  const earning = Object.keys(program.earning.pointsPerUnit);
  const problems: [PropertyKey[], string][] = [];
  program.rewards.forEach((reward, i) => {
    if (!reward.amountOff) return;
    const missing = earning.filter((c) => !Object.hasOwn(reward.amountOff ?? {}, c));
    if (missing.length > 0)
      problems.push([
        ['rewards', i, 'amountOff'],
        `has no amount for ${missing.join(', ')}, which earn${missing.length === 1 ? 's' : ''} points ` +
          '(earning.pointsPerUnit): members paying in it could never redeem this reward',
      ]);
  });
  return problems;
}

/** `loyalty program: tiers member, silver, gold; 3 rewards` — the line `journeys validate` prints. */
export function describeProgram(program: LoyaltyProgram): string {
  const tiers = program.tiers.levels.map((t) => t.id).join(', ');
  const rewards = program.rewards.length;
  const parts = [`loyalty program: tiers ${tiers}; ${rewards} reward${rewards === 1 ? '' : 's'}`];
  if (!program.enabled) parts.push('switched off (enabled: false)');
  return parts.join('; ');
}
