/** The one walker of the step tree: matchStep per kind, forEachStep with paths, stepBranches in program order. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Step } from '../../functions/core/definition.ts';
import {
  forEachStep,
  matchStep,
  STEP_BRANCH_KEYS,
  type StepBranchKey,
  type StepKind,
  sendsIn,
  stepBranches,
  stepKind,
} from '../../functions/core/steps.ts';
import { definition } from '../support/engine-world.ts';

const nested = definition({
  steps: [
    { send: 'a' },
    {
      waitFor: { event: 'order.delivered', timeout: 'P14D' },
      onEvent: [{ wait: 'P1D' }, { send: 'b' }],
      onTimeout: [
        {
          if: { orders: { count: { eq: 0 } } },
          then: [{ emit: { detailType: 'test.nudged' } }],
          else: [{ send: 'c' }],
        },
      ],
    },
    { if: { orders: { count: { gt: 0 } } }, then: [] },
  ],
}).steps;

describe('forEachStep', () => {
  it('visits every step depth-first in program order, with its path from the definition root', () => {
    // Act
    const visited: [string, string][] = [];
    forEachStep(nested, (step, path) => visited.push([path.join('.'), stepKind(step)]));
    // Assess
    expect(visited).toEqual([
      ['steps.0', 'send'],
      ['steps.1', 'waitFor'],
      ['steps.1.onEvent.0', 'wait'],
      ['steps.1.onEvent.1', 'send'],
      ['steps.1.onTimeout.0', 'if'],
      ['steps.1.onTimeout.0.then.0', 'emit'],
      ['steps.1.onTimeout.0.else.0', 'send'],
      ['steps.2', 'if'],
    ]);
  });

  it('starts paths where it is told, and visits nothing in an empty list', () => {
    const paths: string[] = [];
    const leaves: Step[] = [{ send: 'a' }, { wait: 'P1D' }];
    forEachStep(leaves, (_, path) => paths.push(path.join('.')), ['x']);
    forEachStep([], () => paths.push('never'));
    expect(paths).toEqual(['x.0', 'x.1']);
  });
});

describe('matchStep', () => {
  const describeStep = (step: Step): string =>
    matchStep(step, {
      send: (s) => `send ${typeof s.send === 'string' ? s.send : s.send.message}`,
      wait: (s) => `wait ${typeof s.wait === 'string' ? s.wait : s.wait.duration}`,
      emit: (s) => `emit ${s.emit.detailType}`,
      waitFor: (s) => `waitFor ${s.waitFor.event}`,
      if: (s) => `if ${Object.keys(s.if).join()}`,
    });

  it('calls the case of the step kind with the narrowed step', () => {
    const seen: string[] = [];
    forEachStep(nested, (step) => seen.push(describeStep(step)));
    expect(seen).toEqual([
      'send a',
      'waitFor order.delivered',
      'wait P1D',
      'send b',
      'if orders',
      'emit test.nudged',
      'send c',
      'if orders',
    ]);
  });

  it('throws on a value that is no step kind (data that bypassed the schema)', () => {
    expect(() => describeStep({ note: 'x' } as unknown as Step)).toThrow(TypeError);
  });
});

describe('stepBranches', () => {
  it('names the sub-step lists in program order, empty when absent; leaves have none', () => {
    const [send, waitFor, ifWithoutElse] = nested as [Step, Step, Step];
    expect(stepBranches(send)).toEqual([]);
    expect(stepBranches(waitFor).map((b) => [b.name, b.steps.length])).toEqual([
      ['onEvent', 2],
      ['onTimeout', 1],
    ]);
    expect(stepBranches(ifWithoutElse)).toEqual([
      { name: 'then', steps: [] },
      { name: 'else', steps: [] },
    ]);
  });

  it('uses exactly the keys STEP_BRANCH_KEYS lists for raw YAML', () => {
    const names = new Set(nested.flatMap((s) => stepBranches(s).map((b) => b.name)));
    expect([...names].sort()).toEqual([...STEP_BRANCH_KEYS].sort());
  });
});

describe('sendsIn', () => {
  it('lists every send in program order with its path and its fields, in either form', () => {
    const steps = definition({
      steps: [
        { send: 'a' },
        {
          if: { orders: { count: { eq: 0 } } },
          then: [{ send: { message: 'b', coupon: { percentOff: 10, validFor: 'P14D' } } }],
          else: [{ wait: 'P1D' }, { send: { message: 'c', reward: { EUR: '5.00' } } }],
        },
      ],
    }).steps;
    expect(sendsIn(steps)).toEqual([
      { path: ['steps', 0], send: { message: 'a' } },
      { path: ['steps', 1, 'then', 0], send: { message: 'b', coupon: { percentOff: 10, validFor: 'P14D' } } },
      { path: ['steps', 1, 'else', 1], send: { message: 'c', reward: { EUR: '5.00' } } },
    ]);
  });
});

describe('the step kinds', () => {
  it('are derived from Step: its keys other than the sub-step lists', () => {
    // Checked by `npm run typecheck`: a kind added to the schema becomes a kind every matchStep must handle.
    expectTypeOf<StepKind>().toEqualTypeOf<'send' | 'wait' | 'emit' | 'waitFor' | 'if'>();
    expectTypeOf<StepBranchKey>().toEqualTypeOf<'onEvent' | 'onTimeout' | 'then' | 'else'>();
  });
});
