/**
 * Trust no event for money (issue 8): value-moving system events are checked against stored state
 * before any journey acts on them. Reproduces the reported forgery — `source: retention-journeys`,
 * `referral.reward.earned` for a referee that does not exist, and the referrer got "You've earned
 * €10.00" — and every variant of it, on DynamoDB Local and the SES emulator.
 */
import { describe, expect, it } from 'vitest';
import { forgeries } from '../../faults/rows/forged.ts';
import { testEnv } from './env.ts';

describe('forged value-moving system events', () => {
  it('rejects each forgery with its reason and moves no value; a legitimate reward still pays once', async () => {
    // Act
    const report = await forgeries(testEnv());

    // Assess
    const byName = Object.fromEntries(report.cases.map((c) => [c.name, c]));
    const reason = (name: string) => byName[name]?.errors.join('; ');
    expect(reason('unknown referee')).toMatch(
      /untrusted referral.reward.earned: referee ghost-\S+ does not exist/,
    );
    expect(reason('wrong referrer')).toMatch(/was not referred by bystander-/);
    expect(reason('wrong code')).toMatch(/code ZZZZ-9999 is not the code the referee registered with/);
    expect(reason('refunded order')).toMatch(/order o-refunder-\S+ was refunded/);
    expect(reason('order never placed')).toMatch(/was never placed/);
    expect(reason('other currency')).toMatch(/is not in USD/);
    expect(reason('self-reward')).toMatch(/self-referral/);
    expect(reason('attribution nobody made')).toMatch(
      /untrusted referral.attributed: .* was not referred by referrer-/,
    );
    expect(reason('attribution to another referrer')).toMatch(/was not referred by bystander-/);
    expect(byName['system source through PutEvents']).toMatchObject({
      outcomes: ['AccessDeniedException'],
      errors: [expect.stringMatching(/reserved/)],
    });
    for (const c of report.cases) {
      expect({ name: c.name, leaked: c.leaked, crashed: c.crashed }).toEqual({
        name: c.name,
        leaked: 0,
        crashed: 0,
      });
      if (c.name !== 'system source through PutEvents') expect(c.outcomes, c.name).toEqual(['rejected']);
    }
    // The reward email and referral.reward.granted, once each.
    expect(report.control).toBe(2);
    expect(report.crashed).toBe(0);
  });
});
