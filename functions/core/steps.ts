/**
 * The one walker of a journey's step tree. Every place that needs to look at steps — compile,
 * validation, routing, catalog checks, the preview — goes through `matchStep` (one case per step
 * kind, checked by the compiler) or `forEachStep` (every step with its path). Adding a step kind
 * to `Step` makes every `matchStep` call fail to compile until it handles the new kind.
 */
import type { Step } from './definition.ts';
import { assertNever } from './errors.ts';

/** The keys of step `S` that hold sub-steps (`then`, `onEvent` …); distributes over a union. */
type BranchKeysOf<S> = S extends unknown
  ? { [P in keyof S]-?: NonNullable<S[P]> extends Step[] ? P : never }[keyof S]
  : never;

/**
 * The step kinds, by the key that names them in YAML: a step's keys other than its sub-step lists.
 * Derived from `Step`, so a kind added to the schema is a kind here, and every `matchStep` names it.
 */
export type StepKind = KindKeyOf<Step>;

type KindKeyOf<S> = S extends unknown ? Exclude<keyof S, BranchKeysOf<S>> : never;

export type StepKinds = { [K in StepKind]: Extract<Step, Record<K, unknown>> };

export type SendStep = StepKinds['send'];
export type WaitStep = StepKinds['wait'];
export type EmitStep = StepKinds['emit'];
export type WaitForStep = StepKinds['waitFor'];
export type IfStep = StepKinds['if'];

/** One handler per step kind; a missing one is a compile error. */
export type StepCases<R> = { [K in StepKind]: (step: StepKinds[K]) => R };

/** A named list of sub-steps (`then`, `else`, `onEvent`, `onTimeout`). */
export interface StepBranch {
  name: string;
  steps: Step[];
}

/** The keys under which some step kind holds sub-steps (`onEvent`, `then` …). */
export type StepBranchKey = BranchKeysOf<Step>;

// A record, so a branch key added to a step kind and missing here is a compile error.
const BRANCH_KEYS: Record<StepBranchKey, true> = { onEvent: true, onTimeout: true, then: true, else: true };

/**
 * Every key a step may hold sub-steps under, for code that walks YAML not yet validated as a `Step`
 * (error reporting); validated steps go through `stepBranches`.
 */
export const STEP_BRANCH_KEYS = Object.keys(BRANCH_KEYS) as StepBranchKey[];

export function stepKind(step: Step): StepKind {
  if ('send' in step) return 'send';
  if ('wait' in step) return 'wait';
  if ('emit' in step) return 'emit';
  if ('waitFor' in step) return 'waitFor';
  if ('if' in step) return 'if';
  return assertNever(step, 'step');
}

export function matchStep<R>(step: Step, cases: StepCases<R>): R {
  const kind = stepKind(step);
  return (cases[kind] as (s: Step) => R)(step);
}

/** The sub-step lists a step holds, in the order they run in the compiled program. */
export function stepBranches(step: Step): StepBranch[] {
  return matchStep<StepBranch[]>(step, {
    send: () => [],
    wait: () => [],
    emit: () => [],
    waitFor: (s) => [
      { name: 'onEvent', steps: s.onEvent ?? [] },
      { name: 'onTimeout', steps: s.onTimeout ?? [] },
    ],
    if: (s) => [
      { name: 'then', steps: s.then },
      { name: 'else', steps: s.else ?? [] },
    ],
  });
}

/** A send step's fields, whichever form it has (`send: welcome` or `send: { message, coupon … }`). */
export type SendFields = Exclude<SendStep['send'], string>;

export function sendFields(step: SendStep): SendFields {
  return typeof step.send === 'string' ? { message: step.send } : step.send;
}

/** Every send in a step tree, in program order with its path: what a journey sends, and with what. */
export function sendsIn(
  steps: Step[],
  path: (string | number)[] = ['steps'],
): { path: (string | number)[]; send: SendFields }[] {
  const found: { path: (string | number)[]; send: SendFields }[] = [];
  forEachStep(
    steps,
    (step, here) =>
      matchStep(step, {
        send: (s) => {
          found.push({ path: here, send: sendFields(s) });
        },
        wait: () => {},
        emit: () => {},
        waitFor: () => {},
        if: () => {},
      }),
    path,
  );
  return found;
}

/** Visits every step depth-first in program order, with its path from the definition root. */
export function forEachStep(
  steps: Step[],
  visit: (step: Step, path: (string | number)[]) => void,
  path: (string | number)[] = ['steps'],
): void {
  steps.forEach((step, index) => {
    const here = [...path, index];
    visit(step, here);
    for (const branch of stepBranches(step)) forEachStep(branch.steps, visit, [...here, branch.name]);
  });
}
