/**
 * Looking up a program's tier levels: the base tier, a tier by id, the tier a number of qualifying
 * points reaches, the next one up. Apart from program.ts so the functions that apply the program do
 * not build its schema when they start.
 */
import type { LoyaltyProgram, Tier } from './program.ts';

/** The base tier every member starts in. */
export function baseTier(program: LoyaltyProgram): Tier {
  return program.tiers.levels[0] as Tier;
}

export function tierById(program: LoyaltyProgram, id: string): Tier | undefined {
  return program.tiers.levels.find((t) => t.id === id);
}

/** The highest tier whose threshold `qualifying` points reach. */
export function tierFor(program: LoyaltyProgram, qualifying: number): Tier {
  let found = baseTier(program);
  for (const level of program.tiers.levels) if (qualifying >= level.threshold) found = level;
  return found;
}

/** The tier above `id`, if any. */
export function nextTier(program: LoyaltyProgram, id: string): Tier | undefined {
  const i = program.tiers.levels.findIndex((t) => t.id === id);
  return i < 0 ? undefined : program.tiers.levels[i + 1];
}
