/**
 * What a decision's trace note says, as data: the engine (functions/core/engine.ts, entry.ts) explains
 * each step in a short English note (`waits until 2026-01-07T09:00:00Z`), the same text the Lambda log
 * carries. The simulator's timeline keeps the note and, for the notes it knows, these facts, so that
 * the CLI's renderer (timeline-text.ts) can word them for people: local times, durations in words.
 * A note not known here is rendered from its text.
 */

export type NoteFact =
  | { kind: 'enters'; holdout: boolean }
  | { kind: 'doesNotEnter'; reason: string }
  | { kind: 'sends'; message: string }
  | { kind: 'waits'; until: string }
  | { kind: 'waitsFor'; event: string; until: string }
  /** An inactivity trigger: enters at `until` unless `event` happens within `after` (ISO duration). */
  | { kind: 'watches'; after: string; event: string; until: string }
  | { kind: 'anniversary'; until: string }
  | { kind: 'condition'; path: string; holds: boolean }
  | { kind: 'exits'; event: string }
  | { kind: 'goal'; event: string }
  | { kind: 'completes' };

const ISO = String.raw`(\d{4}-\d{2}-\d{2}T[\d:.]+Z)`;

const PATTERNS: [RegExp, (m: RegExpExecArray) => NoteFact][] = [
  [/^enters( \(holdout\))?$/, (m) => ({ kind: 'enters', holdout: Boolean(m[1]) })],
  [/^does not enter: (.+)$/, (m) => ({ kind: 'doesNotEnter', reason: m[1] as string })],
  [/^sends (\S+)$/, (m) => ({ kind: 'sends', message: m[1] as string })],
  [new RegExp(`^waits until ${ISO}$`), (m) => ({ kind: 'waits', until: m[1] as string })],
  [
    new RegExp(`^waits for (\\S+) until ${ISO}$`),
    (m) => ({ kind: 'waitsFor', event: m[1] as string, until: m[2] as string }),
  ],
  [
    new RegExp(`^watches for (P\\S+) without (\\S+): due ${ISO}$`),
    (m) => ({ kind: 'watches', after: m[1] as string, event: m[2] as string, until: m[3] as string }),
  ],
  [new RegExp(`^next anniversary ${ISO}$`), (m) => ({ kind: 'anniversary', until: m[1] as string })],
  [
    /^(\S+): condition (holds|does not hold)$/,
    (m) => ({ kind: 'condition', path: m[1] as string, holds: m[2] === 'holds' }),
  ],
  [/^exits on (\S+)$/, (m) => ({ kind: 'exits', event: m[1] as string })],
  [/^reaches goal (\S+)$/, (m) => ({ kind: 'goal', event: m[1] as string })],
  [/^completes$/, () => ({ kind: 'completes' })],
];

/** The facts of a trace note, or undefined for a note worded otherwise. */
export function noteFact(note: string): NoteFact | undefined {
  for (const [pattern, fact] of PATTERNS) {
    const m = pattern.exec(note);
    if (m) return fact(m);
  }
  return undefined;
}
