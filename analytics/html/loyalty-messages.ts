/**
 * The words of the report's loyalty section, in English and German (part of `Messages`, kept apart so
 * messages.ts stays readable). Numbers come in already formatted.
 */
export interface LoyaltyMessages {
  title: string;
  lede: (period: string) => string;
  empty: string;
  members: string;
  activeMembers: string;
  redemptionRate: string;
  redemptionFrequency: string;
  pointsEarned: string;
  pointsRedeemed: string;
  pointsExpired: string;
  pointsReversed: string;
  newMembers: (n: string) => string;
  ofMembers: (share: string) => string;
  redeemers: (n: string) => string;
  redemptions: (n: string) => string;
  previous: (value: string) => string;
  tiersTitle: (period: string) => string;
  tier: string;
  share: string;
  movedUp: string;
  movedDown: string;
  noTier: string;
  noMembers: string;
  membersTitle: string;
  pointsTitle: string;
  definitions: [string, string][];
}

export const LOYALTY_MESSAGES: Record<'en' | 'de', LoyaltyMessages> = {
  en: {
    title: 'Loyalty program',
    lede: (period) =>
      `Members, points and redemptions in ${period}, against the period before; tiers at its end.`,
    empty: 'No loyalty program activity in the report’s range: no member joined, earned or redeemed.',
    members: 'Members',
    activeMembers: 'Active members',
    redemptionRate: 'Redemption rate',
    redemptionFrequency: 'Redemptions per redeemer',
    pointsEarned: 'Points earned',
    pointsRedeemed: 'Points redeemed',
    pointsExpired: 'Points expired',
    pointsReversed: 'Points reversed',
    newMembers: (n) => `${n} new`,
    ofMembers: (share) => `${share} of members`,
    redeemers: (n) => `${n} members redeemed`,
    redemptions: (n) => `${n} redemptions`,
    previous: (value) => `previous ${value}`,
    tiersTitle: (period) => `Tiers at the end of ${period}`,
    tier: 'Tier',
    share: 'Share',
    movedUp: 'Moved up into',
    movedDown: 'Moved down into',
    noTier: 'no tier recorded',
    noMembers: 'No members at the end of the period.',
    membersTitle: 'Members and active members',
    pointsTitle: 'Points earned, redeemed, expired and reversed',
    definitions: [
      [
        'Member',
        'a customer with any loyalty record, from the first of them on (normally when they joined).',
      ],
      ['Active member', 'earned or redeemed points in the period (bonuses count, expiry does not).'],
      ['Redemption rate', 'members who redeemed in the period ÷ members at its end.'],
    ],
  },
  de: {
    title: 'Treueprogramm',
    lede: (period) =>
      `Mitglieder, Punkte und Einlösungen im Zeitraum ${period}, verglichen mit dem vorigen; Stufen am Ende des Zeitraums.`,
    empty:
      'Keine Aktivität im Treueprogramm im Berichtszeitraum: niemand ist beigetreten, hat gesammelt oder eingelöst.',
    members: 'Mitglieder',
    activeMembers: 'Aktive Mitglieder',
    redemptionRate: 'Einlösequote',
    redemptionFrequency: 'Einlösungen je Einlöser',
    pointsEarned: 'Gesammelte Punkte',
    pointsRedeemed: 'Eingelöste Punkte',
    pointsExpired: 'Verfallene Punkte',
    pointsReversed: 'Stornierte Punkte',
    newMembers: (n) => `${n} neu`,
    ofMembers: (share) => `${share} der Mitglieder`,
    redeemers: (n) => `${n} Mitglieder haben eingelöst`,
    redemptions: (n) => `${n} Einlösungen`,
    previous: (value) => `zuvor ${value}`,
    tiersTitle: (period) => `Stufen am Ende von ${period}`,
    tier: 'Stufe',
    share: 'Anteil',
    movedUp: 'Aufgestiegen in',
    movedDown: 'Abgestiegen in',
    noTier: 'keine Stufe erfasst',
    noMembers: 'Am Ende des Zeitraums gab es keine Mitglieder.',
    membersTitle: 'Mitglieder und aktive Mitglieder',
    pointsTitle: 'Gesammelte, eingelöste, verfallene und stornierte Punkte',
    definitions: [
      ['Mitglied', 'Kunde mit einem Eintrag des Treueprogramms, ab dem ersten (in der Regel dem Beitritt).'],
      ['Aktives Mitglied', 'hat im Zeitraum Punkte gesammelt oder eingelöst (Boni zählen, Verfall nicht).'],
      ['Einlösequote', 'Mitglieder, die im Zeitraum eingelöst haben ÷ Mitglieder am Ende des Zeitraums.'],
    ],
  },
};
