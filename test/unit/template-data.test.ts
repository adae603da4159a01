/**
 * What each send certainly carries (functions/core/template-data.ts), and `journeys validate`
 * refusing a template that uses data its message does not get.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadJourneys } from '../../functions/catalog/journeys.ts';
import { validateProject } from '../../functions/catalog/validate.ts';
import { compileJourney } from '../../functions/core/compile.ts';
import { sendSites } from '../../functions/core/template-data.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('sendSites', () => {
  it('knows, for every send of the shipped journeys, the data it certainly carries', async () => {
    // Prepare
    const { journeys, errors } = await loadJourneys(path.join(root, 'journeys'));
    expect(errors).toEqual([]);
    // Act
    const sites = Object.fromEntries(
      journeys.flatMap(({ definition, version }) =>
        sendSites(definition, compileJourney(definition, version).program).map((s) => [
          `${definition.id} ${s.path} ${s.message}`,
          [...s.provides].sort(),
        ]),
      ),
    );
    // Assess
    expect(sites).toEqual({
      'birthday steps.0 birthday': ['coupon'],
      // Started by loyalty events: about a member; a redemption's coupon and reward come with it.
      'loyalty-expiring steps.0.then.0 points-expiring': ['loyalty'],
      'loyalty-reward steps.0 reward-redeemed': ['coupon', 'loyalty', 'redemption'],
      'loyalty-tier steps.0.then.0 tier-up': ['loyalty'],
      'loyalty-tier steps.0.else.0 tier-at-risk': ['loyalty'],
      'loyalty-welcome steps.1 welcome': ['loyalty'],
      'onboarding steps.0 welcome': [],
      'onboarding steps.2.then.0 getting-started': [],
      'onboarding steps.2.then.2.then.0 first-order-offer': ['coupon'],
      // One instance per order: the trigger's orderId is in every send.
      'post-purchase steps.0.then.0 thank-you-first': ['order'],
      'post-purchase steps.0.else.0 thank-you-returning': ['order'],
      'post-purchase steps.2 review-request': ['order'],
      // Sent on the NPS answer: the feedback is the last event.
      'post-purchase steps.3.onEvent.0.then.0 sorry': ['feedback', 'order'],
      'post-purchase steps.5.then.0 you-might-like': ['order'],
      // Both ways in check that the customer has a referral code (guests have none).
      'referral-invite steps.1 invite-friends': ['referral'],
      'referral-reward steps.0.then.0 referral-reward': ['order', 'reward'],
      // Started by referral.attributed: the code the referee was invited with.
      'referral steps.0 referral-welcome': ['coupon', 'invitation'],
      'win-back steps.0 we-miss-you': [],
      'win-back steps.2 comeback-offer': ['coupon'],
      'win-back steps.4.then.0 last-chance-vip': ['coupon'],
      'win-back steps.4.else.0 last-chance': ['coupon'],
    });
  });
});

describe('journeys validate: template data', () => {
  it('names the template file and the field a message does not get, and where it is sent', async () => {
    // Prepare: a copy of the project with a coupon in the welcome email and a coupon-less offer
    const project = await mkdtemp(path.join(tmpdir(), 'template-data-'));
    try {
      await cp(path.join(root, 'journeys'), path.join(project, 'journeys'), { recursive: true });
      await cp(path.join(root, 'templates'), path.join(project, 'templates'), { recursive: true });
      const welcome = path.join(project, 'templates/onboarding/welcome.txt');
      await writeFile(welcome, `${await readFile(welcome, 'utf8')}\nCode: {{ coupon.code }}\n`);
      const onboarding = path.join(project, 'journeys/onboarding.yaml');
      const definition = await readFile(onboarding, 'utf8');
      await writeFile(
        onboarding,
        definition.replace(/\n\s+coupon: \{ percentOff: 10, validFor: P14D \}/, ''),
      );
      // Act
      const report = await validateProject(project);
      // Assess
      expect(report.errors.map((e) => `${path.relative(project, e.file)} ${e.path} — ${e.message}`)).toEqual([
        'templates/onboarding/welcome.txt coupon — uses {{ coupon }}, but onboarding sends welcome without it at steps.0 (that send carries customer, shop, links)',
        'templates/onboarding/first-order-offer.mjml coupon — uses {{ coupon }}, but onboarding sends first-order-offer without it at steps.2.then.2.then.0 (that send carries customer, shop, links)',
      ]);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
