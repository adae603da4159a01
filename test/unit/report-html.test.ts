import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../analytics/html/render.ts';
import type { JourneyFunnel, LoyaltyKpis, PeriodKpis, ReportData } from '../../analytics/report-types.ts';

const sample: ReportData = JSON.parse(
  readFileSync(new URL('../fixtures/analytics/report-sample.json', import.meta.url), 'utf8'),
);
const copy = (): ReportData => structuredClone(sample);

function emptyReport(): ReportData {
  return {
    from: '2026-11-01',
    to: '2026-12-01',
    period: 'month',
    activeWindowDays: 365,
    periods: [],
    cohorts: [],
    journeys: [],
    emailHealth: { sent: 0, delivered: 0, bounceRate: null, complaintRate: null, unsubscribed: 0 },
    loyalty: { tiers: [], periods: [] },
    generated: { at: '2026-12-01T06:00:00.000Z', source: 'duckdb:.data/analytics', records: 0 },
  };
}

/** The markup of one element found by an attribute, up to its closing tag (cards do not nest). */
function card(html: string, kpi: string): string {
  const start = html.indexOf(`data-kpi="${kpi}"`);
  expect(start, kpi).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</article>', start));
}

const en = renderReportHtml(sample, { locale: 'en', shopName: 'Bean & Leaf' });
const de = renderReportHtml(sample, { locale: 'de', shopName: 'Bean & Leaf' });
/** Intl puts no-break spaces between number and unit (97,7 %, 42,98 €). */
const plain = (html: string) => html.replace(/[\u00a0\u202f]/g, ' ');

describe('renderReportHtml: structure', () => {
  it('is one HTML document with every section, in the requested language', () => {
    expect(en.startsWith('<!doctype html>')).toBe(true);
    expect(en).toContain('<html lang="en">');
    expect(de).toContain('<html lang="de">');
    for (const id of ['overview', 'trends', 'cohorts', 'journeys', 'uplift', 'email', 'loyalty', 'markets'])
      expect(en, id).toContain(`id="${id}"`);
    expect(en).toContain('<title>Bean &amp; Leaf · Retention report');
  });

  it('has the eight KPI cards, a trend chart per KPI and the other charts as inline SVG', () => {
    const kpis = [
      'retentionRate',
      'churnRate',
      'repeatCustomerRate',
      'purchaseFrequency',
      'averageOrderValue',
      'customerLifetimeValue',
      'nps',
      'revenue',
    ];
    for (const k of kpis) {
      expect(en).toContain(`<article class="kpi kpi-`);
      expect(en).toContain(`<figure class="panel trend" data-kpi="${k}">`);
      card(en, k);
    }
    // 8 trends + forest (wide, narrow) + cohort revenue per currency (2 × 2) + loyalty members and
    // points (2 × 2) + markets (2).
    expect(en.match(/<svg /g)?.length).toBe(8 + 2 + 4 + 4 + 2);
    expect(en).not.toMatch(/@keyframes|animation:/);
  });

  it('compares the latest whole-shop period with the one before it', () => {
    expect(en).toContain('November 2026 at a glance');
    expect(en).toContain('Change against October 2026');
    // Retention 97.7 % (Nov) against 97.6 % (Oct): shown with one decimal, so the change reads as none.
    expect(card(en, 'retentionRate')).toContain('97.7%');
    expect(card(en, 'retentionRate')).toContain('delta flat');
  });

  it('colours churn going down as good and going up as bad', () => {
    expect(card(en, 'churnRate')).toContain('delta good');
    const data = copy();
    const shop = data.periods.filter((p) => p.market === null);
    const last = shop.at(-1) as PeriodKpis;
    last.churnRate = 0.08;
    last.retentionRate = 0.9;
    const html = renderReportHtml(data, { locale: 'en' });
    expect(card(html, 'churnRate')).toContain('delta bad');
    expect(card(html, 'churnRate')).toContain('▲');
    expect(card(html, 'retentionRate')).toContain('delta bad');
    expect(card(html, 'retentionRate')).toContain('▼');
  });

  it('shows money per currency and never adds currencies up', () => {
    const revenue = card(en, 'revenue');
    expect(revenue).toContain('€318,069.04');
    expect(revenue).toContain('£87,494.09');
    expect(revenue.match(/class="money-row"/g)?.length).toBe(2);
    expect(card(en, 'averageOrderValue')).toContain('€42.98');
    expect(card(en, 'averageOrderValue')).toContain('£37.26');
  });

  it('has a heatmap row per cohort, a funnel per journey and a row per market', () => {
    expect(en.match(/<tr><th scope="row"><span class="long">/g)?.length).toBe(sample.cohorts.length);
    for (const j of sample.journeys) {
      expect(en).toContain(`<article class="panel journey" data-journey="${j.journey}">`);
      for (const m of j.messages) expect(en).toContain(`<code>${m.message}</code>`);
    }
    for (const m of ['DE', 'AT', 'GB']) expect(en).toContain(`<tr data-market="${m}">`);
    expect(en).toContain('Germany');
    expect(de).toContain('Deutschland');
  });

  it('says "not enough data" for a journey without an estimate, with the reason from the data', () => {
    const row = en.slice(en.indexOf('<tr data-journey="birthday">'));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('Not enough data');
    expect(en).toContain('fewer than 30 held-out customers (21)');
    expect(en).toContain('+5.6 pp · p = 0.009');
  });

  it('rates email health against the SES limits', () => {
    expect(en).toContain('SES review at 5.0%, pause at 10.0%');
    expect(en).toContain('SES review at 0.10%, pause at 0.50%');
    const data = copy();
    data.emailHealth.bounceRate = 0.062;
    data.emailHealth.complaintRate = 0.0061;
    const html = renderReportHtml(data, { locale: 'en' });
    expect(html).toContain('<span class="status review">Under review</span>');
    expect(html).toContain('<span class="status pause">At risk of pause</span>');
  });

  it('leaves the markets section out when there is no breakdown', () => {
    const data = copy();
    data.periods = data.periods.filter((p) => p.market === null);
    const html = renderReportHtml(data, { locale: 'en' });
    expect(html).not.toContain('id="markets"');
    expect(html).not.toContain('href="#markets"');
  });
});

describe('renderReportHtml: self-contained', () => {
  it('loads nothing: no script, no link, no remote URL apart from SVG namespaces', () => {
    for (const html of [en, de]) {
      expect(html).not.toMatch(/<script|<link|<iframe|<img|<object|<embed|@import|url\((?!#)/i);
      expect(html).not.toMatch(/\ssrc=|\shref="(?!#)/i);
      const withoutNamespaces = html.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');
      expect(withoutNamespaces).not.toMatch(/https?:|\/\/[a-z]/i);
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    }
  });
});

describe('renderReportHtml: escaping', () => {
  it('escapes hostile journey, message, market, note, source and shop names everywhere', () => {
    const data = copy();
    const evil = '<img src=x onerror=alert(1)>"\'&';
    const journey = data.journeys[0] as JourneyFunnel;
    journey.journey = evil;
    (journey.messages[0] as { message: string }).message = `</code><script>alert(2)</script>`;
    (data.journeys[3] as JourneyFunnel).uplift.note = '<b onmouseover=alert(3)>x</b>';
    for (const p of data.periods) if (p.market === 'AT') p.market = '"><svg onload=alert(4)>';
    data.generated.source = 'duckdb:<script>alert(5)</script>';
    // Tier ids come from loyalty.yaml, which the report does not check.
    data.loyalty.tiers[1] = '<script>alert(6)</script>';
    for (const p of data.loyalty.periods) p.tiers['<script>alert(6)</script>'] = 5;
    const html = renderReportHtml(data, { locale: 'en', shopName: '<h1>Evil & Co</h1>' });
    expect(html).not.toMatch(/<script|<img|<b on|<svg onload|<h1>Evil/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(html).toContain('&lt;/code&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('&lt;b onmouseover=alert(3)&gt;x&lt;/b&gt;');
    expect(html).toContain('&lt;h1&gt;Evil &amp; Co&lt;/h1&gt;');
    expect(html).toContain('duckdb:&lt;script&gt;alert(5)&lt;/script&gt;');
    expect(html).toContain('data-tier="&lt;script&gt;alert(6)&lt;/script&gt;"');
  });
});

describe('renderReportHtml: locales', () => {
  it('writes English labels and English number, money and date formats', () => {
    expect(en).toContain('Retention rate');
    expect(en).toContain('Churn rate');
    expect(plain(en)).toContain('Generated 1 Dec 2026, 06:00 UTC');
    expect(en).toContain('17,614');
    expect(en).not.toContain('Kundenbindungsrate');
  });

  it('writes German labels and German number, money and date formats', () => {
    expect(de).toContain('Kundenbindungsbericht');
    expect(de).toContain('Kundenbindungsrate');
    expect(de).toContain('Abwanderungsrate');
    expect(de).toContain('November 2026 im Überblick');
    expect(plain(de)).toContain('97,7 %');
    expect(plain(de)).toContain('318.069,04 €');
    expect(plain(de)).toContain('87.494,09 £');
    expect(plain(de)).toContain('Erstellt am 01.12.2026, 06:00 UTC');
    expect(de).toContain('Zu wenige Daten');
    for (const english of [
      'Retention rate',
      'Churn rate',
      'Journey funnels',
      'Email health',
      'Not enough data',
    ])
      expect(de).not.toContain(english);
  });
});

describe('renderReportHtml: empty and missing data', () => {
  it('renders an empty report with an explanation in every section', () => {
    const html = renderReportHtml(emptyReport(), { locale: 'en' });
    expect(html).toContain('No periods in this report.');
    // `to` is exclusive: a November report ends on 30 November.
    expect(html).toContain('1 Nov 2026 – 30 Nov 2026');
    expect(html).toContain('No cohorts yet');
    expect(html).toContain('No journey had any entries');
    expect(html).toContain('No emails were sent in the report’s range');
    expect(html).toContain('No loyalty program activity in the report’s range');
    expect(html).toContain('No earlier period to compare with.');
    expect(card(html, 'retentionRate')).toContain('<div class="value none"');
    expect(card(html, 'retentionRate')).toContain('No data for this period.');
    expect(html).not.toContain('id="markets"');
    expect(html).not.toContain('<svg ');
    expect(html).not.toMatch(/NaN|undefined|Infinity|null/);
    expect(renderReportHtml(emptyReport(), { locale: 'de' })).toContain('Keine Daten für diesen Zeitraum.');
  });

  it('shows a period without data as "—" with the reason', () => {
    const data = copy();
    const last = data.periods.filter((p) => p.market === null).at(-1) as PeriodKpis;
    Object.assign(last, {
      customersAtStart: 0,
      newCustomers: 0,
      reactivatedCustomers: 0,
      lostCustomers: 0,
      customersAtEnd: 0,
      retentionRate: null,
      churnRate: null,
      repeatCustomerRate: null,
      purchaseFrequency: null,
      orders: 0,
      revenue: {},
      averageOrderValue: {},
      customerLifetimeValue: {},
      nps: null,
      npsResponses: 0,
      promoters: 0,
      detractors: 0,
    });
    const html = renderReportHtml(data, { locale: 'en' });
    expect(html).toContain('<div class="notice">No data for this period.</div>');
    for (const k of ['retentionRate', 'revenue', 'nps']) expect(card(html, k)).toContain('—');
    expect(html).not.toMatch(/NaN|Infinity/);
  });

  it('explains each undefined figure in words', () => {
    const data = copy();
    const last = data.periods.filter((p) => p.market === null).at(-1) as PeriodKpis;
    last.nps = null;
    last.npsResponses = 0;
    last.customerLifetimeValue = {};
    last.churnRate = 0;
    const html = renderReportHtml(data, { locale: 'en' });
    expect(card(html, 'nps')).toContain('No survey answers in the period.');
    expect(card(html, 'customerLifetimeValue')).toContain('Nobody churned');
    const journeyless = renderReportHtml({ ...data, journeys: [] }, { locale: 'en' });
    expect(journeyless).toContain('No journey in this report has a holdout group.');
  });
});

/** The loyalty section's markup. */
const loyaltySection = (html: string) =>
  html.slice(html.indexOf('id="loyalty"'), html.indexOf('</section>', html.indexOf('id="loyalty"')));
const tile = (html: string, key: string) => {
  const start = html.indexOf(`class="tile" data-loyalty="${key}"`);
  expect(start, key).toBeGreaterThan(-1);
  return plain(html.slice(start, html.indexOf('</div><div class="tile"', start) + 1 || undefined));
};

describe('renderReportHtml: loyalty', () => {
  it('shows the latest period’s members, activity, redemptions and points against the period before', () => {
    const section = loyaltySection(en);
    expect(section).toContain('Members, points and redemptions in November 2026');
    // November 2026 of the sample: 902 members (38 new, 864 before), 300 active, 52 of them redeemed 65 times.
    expect(tile(section, 'members')).toMatch(
      /902<\/div><div class="sub">38 new<\/div><div class="sub">previous 864/,
    );
    expect(tile(section, 'activeMembers')).toContain('33.3% of members');
    expect(tile(section, 'redemptionRate')).toMatch(/5\.8%.*52 members redeemed.*previous 6\.0%/);
    expect(tile(section, 'redemptionFrequency')).toMatch(/1\.25.*65 redemptions/);
    expect(tile(section, 'pointsExpired')).toMatch(/1,550.*previous 1,125/);
  });

  it('lists every tier in the program’s order with its members, share and moves, and a bar of them', () => {
    const section = loyaltySection(en);
    const rows = [...section.matchAll(/<tr data-tier="([^"]+)">(.*?)<\/tr>/gs)].map(([, tier, row]) => [
      tier,
      [...(row ?? '').matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]),
    ]);
    expect(rows).toEqual([
      ['member', ['750', '83.1%', '0', '8']],
      ['silver', ['113', '12.5%', '14', '2']],
      ['gold', ['39', '4.3%', '8', '0']],
    ]);
    expect(section.match(/<span style="width:/g)).toHaveLength(3);
    expect(section).toContain('Tiers at the end of November 2026');
  });

  it('says so when nobody is a member, and shows "—" for rates without members or redeemers', () => {
    const data = copy();
    for (const p of data.loyalty.periods)
      Object.assign(p, {
        members: 0,
        newMembers: 0,
        activeMembers: 0,
        pointsEarned: 0,
        pointsRedeemed: 0,
        pointsExpired: 0,
        pointsReversed: 0,
      });
    expect(loyaltySection(renderReportHtml(data, { locale: 'en' }))).toContain(
      'No loyalty program activity in the report’s range',
    );
    const quiet = copy();
    const last = quiet.loyalty.periods.filter((p) => p.market === null).at(-1) as LoyaltyKpis;
    Object.assign(last, {
      redemptions: 0,
      redeemingMembers: 0,
      redemptionRate: 0,
      redemptionFrequency: null,
    });
    const html = renderReportHtml(quiet, { locale: 'en' });
    expect(tile(loyaltySection(html), 'redemptionFrequency')).toMatch(
      /—<\/div><div class="sub">0 redemptions/,
    );
    expect(html).not.toMatch(/NaN|Infinity/);
    // A report saved before the section existed still renders.
    const { loyalty: _, ...old } = copy();
    expect(renderReportHtml(old as ReportData, { locale: 'en' })).toContain('No loyalty program activity');
  });

  it('speaks German in the German report, with German numbers', () => {
    const section = plain(loyaltySection(de));
    expect(section).toContain('Treueprogramm');
    expect(section).toContain('Stufen am Ende von November 2026');
    expect(section).toContain('33,3 % der Mitglieder');
    expect(section).toContain('zuvor 864');
    const text = section.replace(/<[^>]*>/g, ' ');
    for (const english of ['Members', 'Points earned', 'Redemption rate'])
      expect(text).not.toContain(english);
    expect(de).toContain('Einlösequote');
  });
});
