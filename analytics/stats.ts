/**
 * The statistics of the holdout uplift, in plain TypeScript so both engines' results go through the
 * same code: the standard normal CDF and a two-proportion comparison (pooled z-test for the p-value,
 * unpooled normal interval for the difference — the textbook pair, e.g. Agresti, Categorical Data
 * Analysis §3.1 / §2.2).
 */
import type { Uplift } from './report-types.ts';

/**
 * Complementary error function, Numerical Recipes' Chebyshev fit (`erfcc`): relative error below
 * 1.2e-7 everywhere, and — unlike 1 − erf(x) — accurate far into the tail, where small p-values live.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF Φ(x). */
export const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/** Two-sided p-value of a standard-normal statistic. */
export const twoSidedP = (z: number): number => Math.min(1, erfc(Math.abs(z) / Math.SQRT2));

/** Φ⁻¹(0.975): the 95 % two-sided normal quantile. */
export const Z95 = 1.959963984540054;

/**
 * The stated minimum for an uplift figure: at least MIN_ARM entries in each arm and at least
 * MIN_OUTCOMES successes and MIN_OUTCOMES failures in each — the usual condition for the normal
 * approximation of a proportion (n·p ≥ 5 and n·(1−p) ≥ 5). Below it the report says "not enough data".
 */
export const MIN_ARM = 30;
export const MIN_OUTCOMES = 5;

export interface Arm {
  /** Entries (instances) in the arm. */
  n: number;
  /** Entries that reached the goal. */
  x: number;
}

/** Uplift of `treated` over `control` (goal conversion), or all nulls and a `note` below the minimum. */
export function twoProportionUplift(treated: Arm, control: Arm): Uplift & { note?: string } {
  const empty = { absolute: null, relative: null, ciLow: null, ciHigh: null, pValue: null };
  for (const [name, arm] of [
    ['treated', treated],
    ['held-out', control],
  ] as const) {
    if (arm.n < MIN_ARM) {
      return { ...empty, note: `not enough data: ${arm.n} ${name} entries (minimum ${MIN_ARM} per group)` };
    }
    if (arm.x < MIN_OUTCOMES || arm.n - arm.x < MIN_OUTCOMES) {
      return {
        ...empty,
        note: `not enough data: ${arm.x} of ${arm.n} ${name} entries reached the goal (need at least ${MIN_OUTCOMES} that did and ${MIN_OUTCOMES} that did not)`,
      };
    }
  }
  const p1 = treated.x / treated.n;
  const p2 = control.x / control.n;
  const diff = p1 - p2;
  const pooled = (treated.x + control.x) / (treated.n + control.n);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / treated.n + 1 / control.n));
  const se = Math.sqrt((p1 * (1 - p1)) / treated.n + (p2 * (1 - p2)) / control.n);
  return {
    absolute: diff,
    relative: p2 === 0 ? null : diff / p2,
    ciLow: diff - Z95 * se,
    ciHigh: diff + Z95 * se,
    pValue: sePooled === 0 ? 1 : twoSidedP(diff / sePooled),
  };
}
