/**
 * What a send instruction does: the goal window, rewards, the wait for an email address, consent and
 * suppression, quiet hours, the frequency cap (and the marketing ledger it counts), coupons, and the
 * send effect with its template data. Free functions over a decision's `Run` (engine.ts).
 */
import { readableCode } from './codes.ts';
import type { CompiledJourney, Instruction } from './compile.ts';
import type { Run } from './engine.ts';
import type { CouponIssued, CustomerView, JourneyInstance, Recipient, SendEffect } from './model.ts';
import { outboxId } from './outbox.ts';
import { redemptionOf, startsFromMembership, startsFromRedemption, templateData } from './template-data.ts';
import { addDuration, isBefore, quietHoursEnd } from './time.ts';

export const DEFAULT_FREQUENCY_CAP = { max: 3, per: 'P7D' };

/** How long a send waits for an email address the profile does not have yet (a guest checkout's
 * order before its registration), before it is skipped. */
export const ADDRESS_WAIT = 'PT24H';

export function recipientOf(run: Run): Recipient | undefined {
  const profile = run.args.customer.profile;
  if (!profile?.email) return undefined;
  return {
    email: profile.email,
    firstName: profile.firstName,
    locale: profile.locale ?? run.args.config.defaultLocale,
    timeZone: run.timeZone,
  };
}

/** Frequency cap: undefined when a marketing send may go now, else the moment a slot frees up. */
function capFreesAt(run: Run): string | undefined {
  const cap = run.args.config.frequencyCap ?? DEFAULT_FREQUENCY_CAP;
  const now = run.args.now;
  const recent = (run.ledger?.sends ?? [])
    .filter((s) => isBefore(now, addDuration(s.at, cap.per, 'UTC')))
    .map((s) => s.at)
    .sort();
  if (recent.length < cap.max) return undefined;
  return addDuration(recent[recent.length - cap.max] as string, cap.per, 'UTC');
}

function recordMarketingSend(run: Run, instance: JourneyInstance, message: string): void {
  const cap = run.args.config.frequencyCap ?? DEFAULT_FREQUENCY_CAP;
  const now = run.args.now;
  const kept = (run.ledger?.sends ?? []).filter((s) => isBefore(now, addDuration(s.at, cap.per, 'UTC')));
  run.ledger = {
    sends: [...kept, { at: now, journeyId: instance.journeyId, message }],
    version: run.ledger?.version ?? 0,
  };
  run.ledgerChanged = true;
}

/** The engine's template data with what the send step itself issued (its coupon wins). */
function withIssued(
  data: SendEffect['data'],
  coupon: CouponIssued | undefined,
  reward: SendEffect['data']['reward'],
): SendEffect['data'] {
  return { ...data, coupon: coupon ?? data.coupon, reward };
}

/** Returns 'wait' when the send is held (quiet hours, frequency cap), else 'next'. */
export function send(
  run: Run,
  instance: JourneyInstance,
  ins: Extract<Instruction, { op: 'send' }>,
  definition: CompiledJourney['definition'],
  profile: CustomerView['profile'],
  at: string,
): 'wait' | 'next' {
  const now = run.args.now;
  const spec = definition.messages[ins.message];
  const marketing = spec?.class !== 'transactional';
  const recipient = recipientOf(run);
  if (definition.goal?.from === 'lastMessage' && (instance.holdout || recipient)) {
    // Holdout members get the same window as if they had been sent the message, so uplift compares.
    instance.goalDeadline = addDuration(at, definition.goal.within, run.timeZone);
  }
  // A message that grants a reward is about the reward: without one for the order's currency it
  // would announce nothing, so it is not sent, and the shop hears why.
  const trigger = instance.trigger ?? {};
  const rewardCurrency = String(
    trigger.currency ?? (trigger.total as { currency?: string } | undefined)?.currency ?? '',
  );
  const rewardAmount = ins.reward?.[rewardCurrency];
  if (ins.reward && rewardAmount === undefined) {
    const reason = `no reward configured for currency "${rewardCurrency}"`;
    run.note(instance, `skips ${ins.message}: ${reason}`);
    run.effects.push({
      kind: 'emit',
      outboxId: outboxId(instance, `${instance.pc}#reward`),
      detailType: 'referral.rejected',
      detail: {
        customerId: run.customerId,
        refereeId: trigger.refereeId,
        code: trigger.code,
        reason,
        journey: instance.journeyId,
      },
    });
    return 'next';
  }
  // A journey started by a loyalty event promises its templates the member's data, and one started
  // by a redemption its coupon: without them the message would announce nothing.
  const loyalty = run.memberData(at);
  const memberSkip =
    startsFromMembership(definition) && !loyalty
      ? 'no loyalty membership (no account, or the program is off)'
      : startsFromRedemption(definition) && !redemptionOf(definition, instance, run.args.customer)
        ? `redemption ${String(trigger.movementId)} is not among the account's recent ones`
        : undefined;
  if (memberSkip) {
    run.note(instance, `skips ${ins.message}: ${memberSkip}`);
    return 'next';
  }
  if (!instance.holdout && !recipient) {
    // A guest checkout's order can come before the registration that brings the address: the send
    // waits for it (the registration or update resumes it), and is skipped only when none came.
    const until = addDuration(at, ADDRESS_WAIT, 'UTC');
    if (isBefore(now, until)) {
      instance.waiting = { dueAt: until, reason: 'address', from: at };
      run.note(instance, `holds ${ins.message} for an email address until ${until}`);
      return 'wait';
    }
  }
  const skip = instance.holdout
    ? 'holdout'
    : !recipient
      ? 'no email address'
      : marketing && !profile?.marketingConsent
        ? 'no marketing consent'
        : marketing && profile?.suppressed
          ? 'address suppressed'
          : undefined;
  if (skip) {
    run.note(instance, `skips ${ins.message}: ${skip}`);
    return 'next';
  }
  const quiet = spec?.quietHours !== false && definition.quietHours;
  const quietEnd =
    quiet && definition.quietHours ? quietHoursEnd(now, run.timeZone, definition.quietHours) : undefined;
  if (quietEnd) {
    instance.waiting = { dueAt: quietEnd, reason: 'quietHours' };
    run.note(instance, `holds ${ins.message} for quiet hours until ${quietEnd}`);
    return 'wait';
  }
  if (marketing) {
    const freesAt = capFreesAt(run);
    if (freesAt) {
      if (spec?.frequencyCap === 'skip') {
        run.note(instance, `skips ${ins.message}: frequency cap reached`);
        return 'next';
      }
      instance.waiting = { dueAt: freesAt, reason: 'frequencyCap' };
      run.note(instance, `holds ${ins.message} for the frequency cap until ${freesAt}`);
      return 'wait';
    }
    recordMarketingSend(run, instance, ins.message);
  }

  let coupon: CouponIssued | undefined;
  if (ins.coupon) {
    coupon = {
      code: readableCode(
        run.args.config.secret,
        `coupon:${run.customerId}:${instance.journeyId}:${instance.instanceId}:${instance.pc}`,
      ),
      percentOff: ins.coupon.percentOff,
      amountOff: ins.coupon.amountOff,
      currency: ins.coupon.currency,
      expiresAt: addDuration(now, ins.coupon.validFor, run.timeZone),
    };
    run.effects.push({
      kind: 'emit',
      outboxId: outboxId(instance, `${instance.pc}#coupon`),
      detailType: 'coupon.issued',
      detail: { customerId: run.customerId, ...coupon, journey: instance.journeyId, message: ins.message },
    });
  }
  const reward = rewardAmount === undefined ? undefined : { amount: rewardAmount, currency: rewardCurrency };
  if (reward) {
    run.effects.push({
      kind: 'emit',
      outboxId: outboxId(instance, `${instance.pc}#reward`),
      detailType: 'referral.reward.granted',
      detail: {
        customerId: run.customerId,
        refereeId: trigger.refereeId,
        code: trigger.code,
        reward,
        journey: instance.journeyId,
      },
    });
  }
  run.effects.push({
    kind: 'send',
    outboxId: outboxId(instance, instance.pc),
    journeyId: instance.journeyId,
    instanceId: instance.instanceId,
    message: ins.message,
    messageClass: marketing ? 'marketing' : 'transactional',
    recipient: recipient as Recipient,
    template: spec?.template,
    data: withIssued(templateData(definition, instance, run.args.customer, at, loyalty), coupon, reward),
  });
  instance.sent.push(ins.message);
  run.note(instance, `sends ${ins.message}`);
  return 'next';
}
