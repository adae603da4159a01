/** Event patterns shared by the CDK rules and the local router. */
import { describe, expect, it } from 'vitest';
import {
  journeyEventPattern,
  journeyEventPatterns,
  journeyEventTypes,
  journeySystemEventPattern,
  matchesPattern,
  profileEventPattern,
} from '../../functions/core/routing.ts';
import { definition, loadDefinition } from '../support/engine-world.ts';

const postPurchase = definition({
  id: 'post-purchase',
  trigger: { event: 'order.placed', instanceKey: 'orderId' },
  exitOn: ['order.refunded', 'customer.deleted'],
  goal: { event: 'feedback.submitted', within: 'P30D' },
  steps: [
    {
      if: { orders: { count: { gt: 1 } } },
      then: [
        {
          waitFor: { event: 'order.delivered', timeout: 'P14D', correlate: 'orderId' },
          onEvent: [{ send: 'a' }],
        },
      ],
      else: [
        {
          waitFor: { event: 'customer.consent.changed', timeout: 'P1D' },
          onTimeout: [{ waitFor: { event: 'customer.updated', timeout: 'P1D' } }],
        },
      ],
    },
  ],
});

describe('journey patterns', () => {
  it('include the trigger, exit events, the goal, every waitFor event (also nested ones) and the address events', () => {
    expect(journeyEventTypes(postPurchase)).toEqual([
      'customer.consent.changed',
      'customer.deleted',
      'customer.registered',
      'customer.updated',
      'feedback.submitted',
      'order.delivered',
      'order.placed',
      'order.refunded',
    ]);
  });

  it('the onboarding journey listens to its trigger, its exit/goal event and address changes', () => {
    const onboarding = loadDefinition('journeys/onboarding.yaml');
    expect(journeyEventPattern(onboarding, 'shop')).toEqual({
      source: ['shop'],
      'detail-type': ['customer.registered', 'customer.updated', 'order.placed'],
    });
  });

  it('a journey that sends gets the events that bring an email address: they resume a send held for one', () => {
    const postPurchaseShipped = loadDefinition('journeys/post-purchase.yaml');
    const pattern = journeyEventPattern(postPurchaseShipped, 'shop');
    expect(pattern?.['detail-type']).toEqual(
      expect.arrayContaining(['customer.registered', 'customer.updated']),
    );
  });

  it('match only their own source and detail-types', () => {
    const pattern = journeyEventPattern(postPurchase, 'my-shop');
    if (!pattern) throw new Error('post-purchase listens to shop events');
    expect(matchesPattern(pattern, { source: 'my-shop', detailType: 'order.delivered' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'my-shop', detailType: 'feedback.requested' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'shop', detailType: 'order.delivered' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'retention-journeys', detailType: 'order.placed' })).toBe(false);
  });
});

describe('system-event patterns', () => {
  it('a journey waiting for a system input gets a rule on the system source, not on the shop source', () => {
    const referral = definition({
      id: 'referral-test',
      trigger: { event: 'referral.attributed' },
      exitOn: ['customer.deleted'],
      steps: [{ send: 'a' }],
    });
    expect(journeyEventPattern(referral, 'shop')).toEqual({
      source: ['shop'],
      'detail-type': ['customer.deleted', 'customer.registered', 'customer.updated'],
    });
    expect(journeySystemEventPattern(referral)).toEqual({
      source: ['retention-journeys'],
      'detail-type': ['referral.attributed'],
    });
    expect(journeyEventPatterns(referral, 'shop')).toHaveLength(2);
  });

  it('a journey listening only to shop events has no system rule', () => {
    expect(journeySystemEventPattern(postPurchase)).toBeUndefined();
    expect(journeyEventPatterns(postPurchase, 'shop')).toHaveLength(1);
  });
});

describe('profile pattern', () => {
  it('matches every detail-type of the shop source, including unknown and misspelt ones', () => {
    const pattern = profileEventPattern('shop');
    expect(pattern).toEqual({ source: ['shop'] });
    for (const detailType of ['customer.registered', 'order.placed', 'order.plaecd', 'something.new'])
      expect(matchesPattern(pattern, { source: 'shop', detailType })).toBe(true);
  });

  it('does not match the system’s own emitted events or other sources', () => {
    const pattern = profileEventPattern('shop');
    expect(matchesPattern(pattern, { source: 'retention-journeys', detailType: 'journey.entered' })).toBe(
      false,
    );
    expect(matchesPattern(pattern, { source: 'shop.staging', detailType: 'order.placed' })).toBe(false);
  });
});
