/** The compiled program: one instruction per step, branches as forward jumps, paths as in the YAML. */
import { describe, expect, it } from 'vitest';
import { compileJourney } from '../../functions/core/compile.ts';
import { definition } from '../support/engine-world.ts';

const everyKind = definition({
  steps: [
    { send: 'a' },
    { wait: 'P1D' },
    {
      waitFor: { event: 'order.delivered', timeout: 'P14D', since: 'order.placed', correlate: 'orderId' },
      onEvent: [{ send: { message: 'b', coupon: { percentOff: 10, validFor: 'P14D' } } }],
      onTimeout: [{ wait: { sinceEntry: 'P5D' } }],
    },
    {
      if: { orders: { count: { eq: 0 } } },
      then: [{ emit: { detailType: 'test.nudged', include: ['orderId'], to: 'referrerId' } }],
      else: [{ wait: { duration: 'PT1H', since: 'order.placed' } }, { send: 'c' }],
    },
    { emit: { detailType: 'test.done', detail: { reason: 'end' } } },
  ],
});

describe('compileJourney', () => {
  it('flattens every step kind, waitFor and if into forward jumps', () => {
    // Act
    const { program, version, definition: compiled } = compileJourney(everyKind, 'v1');
    // Assess
    expect(version).toBe('v1');
    expect(compiled).toBe(everyKind);
    expect(program).toEqual([
      { op: 'send', message: 'a', coupon: undefined, reward: undefined, path: 'steps.0' },
      { op: 'wait', duration: 'P1D', sinceEntry: undefined, since: undefined, path: 'steps.1' },
      {
        op: 'waitFor',
        event: 'order.delivered',
        timeout: 'P14D',
        since: 'order.placed',
        correlate: 'orderId',
        timeoutTarget: 5,
        path: 'steps.2',
      },
      {
        op: 'send',
        message: 'b',
        coupon: { percentOff: 10, validFor: 'P14D' },
        reward: undefined,
        path: 'steps.2.onEvent.0',
      },
      { op: 'jump', target: 6, path: 'steps.2' },
      { op: 'wait', duration: undefined, sinceEntry: 'P5D', since: undefined, path: 'steps.2.onTimeout.0' },
      { op: 'jumpUnless', condition: { orders: { count: { eq: 0 } } }, target: 9, path: 'steps.3' },
      {
        op: 'emit',
        detailType: 'test.nudged',
        detail: {},
        include: ['orderId'],
        to: 'referrerId',
        path: 'steps.3.then.0',
      },
      { op: 'jump', target: 11, path: 'steps.3' },
      { op: 'wait', duration: 'PT1H', sinceEntry: undefined, since: 'order.placed', path: 'steps.3.else.0' },
      { op: 'send', message: 'c', coupon: undefined, reward: undefined, path: 'steps.3.else.1' },
      {
        op: 'emit',
        detailType: 'test.done',
        detail: { reason: 'end' },
        include: [],
        to: undefined,
        path: 'steps.4',
      },
    ]);
  });

  it('compiles missing and empty branches to jumps that land just past them', () => {
    // Act
    const { program } = compileJourney(
      definition({
        steps: [
          { waitFor: { event: 'order.delivered', timeout: 'P1D' } },
          { if: { orders: { count: { eq: 0 } } }, then: [] },
        ],
      }),
      'v1',
    );
    // Assess
    expect(
      program.map((i) => [i.op, 'target' in i ? i.target : 'timeoutTarget' in i ? i.timeoutTarget : null]),
    ).toEqual([
      ['waitFor', 2],
      ['jump', 2],
      ['jumpUnless', 4],
      ['jump', 4],
    ]);
  });

  it('compiles a reward send with its amounts', () => {
    const { program } = compileJourney(
      definition({ steps: [{ send: { message: 'a', reward: { EUR: '10.00' } } }] }),
      'v1',
    );
    expect(program).toEqual([
      { op: 'send', message: 'a', coupon: undefined, reward: { EUR: '10.00' }, path: 'steps.0' },
    ]);
  });
});
