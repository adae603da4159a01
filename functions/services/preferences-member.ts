/**
 * The loyalty member page's body (GET/POST `/member` of the preferences endpoint): balance, tier with
 * the progress to the next one, pending and expiring points, the rewards with one redeem form each, and
 * the latest coupons. Strings are the `preferencesMember*` keys of templates/locales/*.yaml; counts,
 * money and dates go through the email filters (`plural`, `discount`, `date`), so they read as in the
 * member's emails.
 *
 * No scripts: every redeem button is a plain form POST carrying the signed member token (a foreign site
 * cannot forge the form without it) and the request id `redemptionRequestId` derives from the account,
 * so submitting one form twice redeems once and shows the same coupon.
 */

import type { LoyaltyData, RecentRedemption, RedemptionOutcome } from '../core/loyalty/account.ts';
import { redemptionRequestId } from '../core/loyalty/ledger.ts';
import type { CouponIssued } from '../core/model.ts';
import type { MemberSnapshot } from './loyalty.ts';
import { escapeHtml } from './preferences-html.ts';
import type { PageKit } from './preferences-pages.ts';

/** Added to the pages' one style block (its hash is in the Content-Security-Policy). */
export const MEMBER_STYLE = [
  'h2{font-size:1.0625rem;margin:1.75rem 0 .75rem}',
  '.balance{text-align:center;margin:0 0 1.5rem}',
  '.points{font-size:2.75rem;font-weight:700;line-height:1.1;color:#0f766e;margin:0}',
  '.points.negative{color:#b45309}',
  '.tier{margin:0 0 1rem}',
  '.tier p{margin:0 0 .5rem}',
  'progress{appearance:none;width:100%;height:.75rem;border:0;border-radius:6px;background:#e4e4e7;overflow:hidden}',
  'progress::-webkit-progress-bar{background:#e4e4e7;border-radius:6px}',
  'progress::-webkit-progress-value{background:#0f766e;border-radius:6px}',
  'progress::-moz-progress-bar{background:#0f766e;border-radius:6px}',
  '.note{background:#f4f4f5;border-radius:8px;padding:.75rem 1rem;font-size:.9375rem}',
  '.alert{background:#fef3c7;color:#78350f;border-radius:8px;padding:.75rem 1rem}',
  '.coupon{border:2px dashed #0f766e;border-radius:12px;padding:1rem 1.25rem;margin:0 0 1.5rem;text-align:center}',
  '.coupon h2{margin:0 0 .5rem}',
  '.coupon .code{font:700 1.5rem/1.3 ui-monospace,SFMono-Regular,Menlo,monospace;letter-spacing:.05em;margin:0 0 .5rem;user-select:all}',
  'ul.rewards,ul.coupons{list-style:none;margin:0;padding:0}',
  '.rewards li{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.75rem;padding:.875rem 0;border-top:1px solid #e4e4e7}',
  '.rewards li>div{flex:1 1 12rem}',
  '.rewards strong,.rewards span{display:block}',
  '.rewards form{margin:0}',
  '.rewards button{margin:0;padding:.5rem 1rem}',
  'button:disabled{background:#a1a1aa;cursor:not-allowed}',
  '.coupons li{padding:.5rem 0;border-top:1px solid #e4e4e7}',
  '.coupons code{font-weight:700;margin-right:.5rem}',
].join('');

export type RedemptionRefusal = Extract<RedemptionOutcome, { status: 'refused' }>['reason'];

export interface MemberPageRequest {
  status: number;
  /** The member's locale (profile, else Accept-Language), resolved through the fallback chain. */
  locale: string | undefined;
  /** The member's time zone for dates; UTC when absent. */
  timeZone: string | undefined;
  shop: { name: string; url: string };
  /** Where the redeem forms post to: the member route's path. */
  action: string;
  /** The signed member token every form carries. */
  token: string;
  snapshot: MemberSnapshot;
  /** The redemption this visit made or repeated: its coupon is shown first. */
  redeemed?: RecentRedemption | undefined;
  /** A redemption that was refused, and for which reward. */
  refused?: { reason: RedemptionRefusal; rewardId: string } | undefined;
  extraHeaders?: Record<string, string> | undefined;
}

type RewardView = LoyaltyData['rewards'][number];
/** What the `discount` filter formats: a percentage or an amount in a currency. */
type CouponValue = Pick<CouponIssued, 'percentOff' | 'amountOff' | 'currency'>;

/**
 * The locale key of a tier's or reward's name (`loyalty.tiers.gold`, `loyalty.rewards.five-off`), as the
 * program's comment in loyalty.yaml names them.
 */
export const loyaltyNameKey = (kind: 'tiers' | 'rewards', id: string) => `loyalty.${kind}.${id}`;

/** The tier's name in the page's language; the id, capitalised, when the locale files lack it. */
async function tierName(k: PageKit, id: string): Promise<string> {
  const key = loyaltyNameKey('tiers', id);
  return k.has(key) ? k.text(key) : id.charAt(0).toUpperCase() + id.slice(1);
}

/**
 * The coupon a reward gives in the member's currency (loyaltyData priced it so); undefined when it has
 * none for that currency.
 */
export function rewardValue(reward: RewardView): CouponValue | undefined {
  if (reward.percentOff !== undefined) return { percentOff: reward.percentOff };
  if (reward.amountOff) return { amountOff: reward.amountOff.amount, currency: reward.amountOff.currency };
  return undefined;
}

export async function memberPageParts(
  k: PageKit,
  page: MemberPageRequest,
): Promise<{ title: string; parts: string[] }> {
  const { snapshot } = page;
  const { account, data } = snapshot;
  if (!snapshot.program.enabled || !account || !data) {
    const which = snapshot.program.enabled ? 'NotMember' : 'Disabled';
    const title = await k.text(`preferencesMember${which}Title`);
    const text = await k.text(`preferencesMember${which}Text`);
    return { title, parts: [`<h1>${escapeHtml(title)}</h1>`, `<p>${escapeHtml(text)}</p>`] };
  }

  const number = new Intl.NumberFormat(k.format.locale);
  const points = (n: number) => k.count('preferencesMemberPoints', n);
  const line = async (key: string, scope: Record<string, unknown>, cls = 'note') =>
    `<p class="${cls}">${escapeHtml(await k.text(key, scope))}</p>`;
  const title = await k.text('preferencesMemberTitle');
  const parts: string[] = [`<h1>${escapeHtml(title)}</h1>`];

  if (page.redeemed) {
    const { coupon } = page.redeemed;
    parts.push(
      '<section class="coupon" aria-live="polite">',
      `<h2>${escapeHtml(await k.text('preferencesMemberCouponTitle'))}</h2>`,
      `<p class="code"><code>${escapeHtml(coupon.code)}</code></p>`,
      `<p class="muted">${escapeHtml(await k.text('preferencesMemberCouponText', { coupon }))}</p>`,
      '</section>',
    );
  }
  if (page.refused) {
    const reward = snapshot.program.rewards.find((r) => r.id === page.refused?.rewardId);
    const text =
      page.refused.reason === 'not enough points' && reward
        ? await k.text('preferencesMemberNotEnough', {
            needed: await points(Math.max(1, reward.points - data.balance)),
          })
        : await k.text('preferencesMemberRefused');
    parts.push(`<p class="alert" role="alert">${escapeHtml(text)}</p>`);
  }

  parts.push(
    '<section class="balance">',
    `<p class="points${data.balance < 0 ? ' negative' : ''}">${escapeHtml(number.format(data.balance))}</p>`,
    `<p class="muted">${escapeHtml(await k.text('preferencesMemberBalance'))}</p>`,
    '</section>',
    '<section class="tier">',
    `<p><strong>${escapeHtml(await k.text('preferencesMemberTier', { tier: await tierName(k, data.tier) }))}</strong></p>`,
  );
  if (data.nextTier) {
    const { threshold, pointsNeeded, id } = data.nextTier;
    const progressText = await k.text('preferencesMemberNextTier', {
      needed: await points(pointsNeeded),
      tier: await tierName(k, id),
    });
    parts.push(
      `<progress value="${Math.min(data.qualifying, threshold)}" max="${threshold}" aria-label="${escapeHtml(progressText)}"></progress>`,
      `<p class="muted">${escapeHtml(progressText)}</p>`,
    );
  } else {
    parts.push(`<p class="muted">${escapeHtml(await k.text('preferencesMemberTopTier'))}</p>`);
  }
  parts.push('</section>');

  if (data.atRisk)
    parts.push(
      await line('preferencesMemberAtRisk', {
        tier: await tierName(k, data.tier),
        to: await tierName(k, data.atRisk.to),
        downgradeAt: data.atRisk.downgradeAt,
      }),
    );
  if (data.balance < 0) parts.push(await line('preferencesMemberNegative', {}));
  if (data.pending > 0)
    parts.push(await line('preferencesMemberPending', { pending: await points(data.pending) }));
  if (data.expiring && data.expiring.points > 0)
    parts.push(
      await line('preferencesMemberExpiring', {
        points: await points(data.expiring.points),
        expiresAt: data.expiring.expiresAt,
      }),
    );

  // A reward with a fixed amount in other currencies only cannot be redeemed (`no currency`): not offered.
  const offered = data.rewards.flatMap((reward) => {
    const value = rewardValue(reward);
    return value ? [{ reward, value }] : [];
  });
  if (offered.length > 0) {
    parts.push(
      `<h2>${escapeHtml(await k.text('preferencesMemberRewardsTitle'))}</h2>`,
      '<ul class="rewards">',
    );
    for (const { reward, value } of offered)
      parts.push(await rewardItem(k, page, account, reward, value, data.balance));
    parts.push('</ul>');
  }

  if (account.recent.length > 0) {
    parts.push(
      `<h2>${escapeHtml(await k.text('preferencesMemberRecentTitle'))}</h2>`,
      '<ul class="coupons">',
    );
    for (const r of account.recent) {
      const text = await k.text('preferencesMemberRecentItem', { coupon: r.coupon, at: r.at });
      parts.push(
        `<li><code>${escapeHtml(r.coupon.code)}</code><span class="muted">${escapeHtml(text)}</span></li>`,
      );
    }
    parts.push('</ul>');
  }
  return { title, parts };
}

async function rewardItem(
  k: PageKit,
  page: MemberPageRequest,
  account: NonNullable<MemberSnapshot['account']>,
  reward: RewardView,
  value: CouponValue,
  balance: number,
): Promise<string> {
  const valueText = await k.text('preferencesMemberRewardValue', { coupon: value });
  const nameKey = loyaltyNameKey('rewards', reward.id);
  const name = k.has(nameKey) ? await k.text(nameKey) : valueText;
  const heading = [
    `<div><strong>${escapeHtml(name)}</strong>`,
    name !== valueText ? `<span class="muted">${escapeHtml(valueText)}</span>` : '',
  ];
  if (!reward.affordable)
    heading.push(
      `<span class="muted">${escapeHtml(
        await k.text('preferencesMemberRewardShort', {
          needed: await k.count('preferencesMemberPoints', reward.points - balance),
        }),
      )}</span>`,
    );
  const button = await k.text('preferencesMemberRedeemButton', {
    points: await k.count('preferencesMemberPoints', reward.points),
  });
  return [
    `<li>${heading.join('')}</div>`,
    `<form method="post" action="${escapeHtml(page.action)}">`,
    `<input type="hidden" name="token" value="${escapeHtml(page.token)}">`,
    `<input type="hidden" name="reward" value="${escapeHtml(reward.id)}">`,
    `<input type="hidden" name="request" value="${escapeHtml(redemptionRequestId(account, reward.id))}">`,
    `<button type="submit"${reward.affordable ? '' : ' disabled'}>${escapeHtml(button)}</button>`,
    '</form></li>',
  ].join('');
}
