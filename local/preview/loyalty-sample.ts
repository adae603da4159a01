/**
 * The loyalty side of a preview customer's story: the program the gallery shows, the member's account
 * as the loyalty service would have stored it by the time a `loyalty.*` event starts a journey, and
 * that event's detail, consistent with the account. The account is built, not earned: the preview
 * shows the journeys and their emails, and the ledger's own rules are tested where they live.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { readableCode } from '../../functions/core/codes.ts';
import type { LoyaltyAccount, RecentRedemption } from '../../functions/core/loyalty/account.ts';
import { baseTier, nextTier } from '../../functions/core/loyalty/levels.ts';
import { type LoyaltyProgram, loyaltyProgramSchema } from '../../functions/core/loyalty/program.ts';
import { addDuration } from '../../functions/core/time.ts';
import { PREVIEW_SECRET } from './fixtures.ts';

const REPO_PROGRAM = path.join(import.meta.dirname, '..', '..', 'loyalty.yaml');

/**
 * The program the preview runs, enabled like a disabled journey is (to show what it would send): the
 * catalog's, else the repository's loyalty.yaml.
 */
export function previewProgram(catalog: Catalog): LoyaltyProgram {
  const program = catalog.loyalty ?? loyaltyProgramSchema.parse(parse(readFileSync(REPO_PROGRAM, 'utf8')));
  return { ...program, enabled: true };
}

/** Whether an event type is one of the program's (a journey started by it needs a member). */
export const isLoyaltyEvent = (type: string): boolean => type.startsWith('loyalty.');

/** The tier a story's member is in: the first one up from the base tier, when there is one. */
function storyTier(program: LoyaltyProgram) {
  return nextTier(program, baseTier(program).id) ?? baseTier(program);
}

export interface MemberStory {
  account: LoyaltyAccount;
  /** The detail of the `loyalty.*` event that starts the journey (customerId added by the caller). */
  detail: Record<string, unknown>;
}

/**
 * The member, and the event about them, at `now`: a new member for `loyalty.member.joined`; for the
 * rest a member of the tier above the base tier with points to spend, some pending and the latest
 * activity long enough ago that the `loyalty.points.expiring` reminder is due.
 */
export function memberStory(
  program: LoyaltyProgram,
  type: string,
  customerId: string,
  currency: string,
  timeZone: string,
  now: string,
): MemberStory {
  const base = baseTier(program);
  const tier = storyTier(program);
  const month = DateTime.fromISO(now, { zone: timeZone }).toFormat('yyyy-MM');
  const expiresAt = addDuration(now, program.expiry.reminderBefore, timeZone);
  const joined: LoyaltyAccount = {
    customerId,
    joinedAt: now,
    available: program.earning.bonuses.registration,
    pending: 0,
    lots: [],
    tier: base.id,
    tierSince: now,
    qualifying: { [month]: program.earning.bonuses.registration },
    lastActivityAt: now,
    redemptions: 0,
    recent: [],
    totals: { earned: program.earning.bonuses.registration, redeemed: 0, expired: 0, reversed: 0 },
    version: 1,
  };
  if (type === 'loyalty.member.joined') return { account: joined, detail: { tier: base.id, joinedAt: now } };

  const reward = program.rewards.find((r) => !r.amountOff || r.amountOff[currency]) ?? program.rewards[0];
  const qualifying = tier.threshold + 120;
  const member: LoyaltyAccount = {
    ...joined,
    joinedAt: addDuration(now, '-P300D', timeZone),
    available: Math.max(qualifying - 200, (reward?.points ?? 0) + 240),
    pending: 59,
    lots: [],
    tier: tier.id,
    tierSince: addDuration(now, '-P20D', timeZone),
    qualifying: { [month]: qualifying },
    lastActivityAt: addDuration(expiresAt, `-${program.expiry.after}`, timeZone),
    totals: { earned: qualifying, redeemed: 0, expired: 0, reversed: 0 },
    version: 12,
  };
  switch (type) {
    case 'loyalty.tier.changed':
      return {
        account: { ...member, tierSince: now, lastActivityAt: addDuration(now, '-P14D', timeZone) },
        detail: { from: base.id, to: tier.id, direction: 'up', benefits: tier.benefits },
      };
    case 'loyalty.tier.at-risk': {
      const downgradeAt = addDuration(now, program.tiers.downgradeGrace, timeZone);
      return {
        account: {
          ...member,
          qualifying: { [month]: Math.max(tier.threshold - 120, 0) },
          risk: { since: now, downgradeAt, to: base.id },
          lastActivityAt: addDuration(now, '-P60D', timeZone),
        },
        detail: { tier: tier.id, to: base.id, downgradeAt, pointsNeeded: 120 },
      };
    }
    case 'loyalty.points.expiring':
      return {
        account: { ...member, remindedFor: expiresAt },
        detail: { points: member.available, expiresAt },
      };
    case 'loyalty.reward.redeemed': {
      if (!reward) return { account: member, detail: {} };
      const redemption = sampleRedemption(reward, customerId, currency, timeZone, now);
      const available = member.available - reward.points;
      return {
        account: {
          ...member,
          available,
          lastActivityAt: now,
          redemptions: 1,
          recent: [redemption],
          totals: { ...member.totals, redeemed: reward.points },
        },
        detail: {
          movementId: redemption.movementId,
          rewardId: reward.id,
          points: reward.points,
          code: redemption.coupon.code,
          balance: available,
          ...(redemption.coupon.currency ? { currency: redemption.coupon.currency } : {}),
        },
      };
    }
    default:
      return { account: member, detail: {} };
  }
}

function sampleRedemption(
  reward: LoyaltyProgram['rewards'][number],
  customerId: string,
  currency: string,
  timeZone: string,
  now: string,
): RecentRedemption {
  const requestId = `page-${reward.id}-1`;
  const amountOff = reward.amountOff?.[currency];
  return {
    movementId: `redeem:${requestId}`,
    requestId,
    rewardId: reward.id,
    points: reward.points,
    coupon: {
      code: readableCode(PREVIEW_SECRET, `loyalty:${customerId}:${requestId}`),
      ...(amountOff ? { amountOff, currency } : { percentOff: reward.percentOff }),
      expiresAt: addDuration(now, reward.validFor, timeZone),
    },
    at: now,
  };
}
