import { describe, expect, it } from 'vitest';
import { athenaValue } from '../../functions/adapters/athena.ts';
import { reportConfigFromEnv, reportInstant } from '../../functions/handlers/monthly-report.ts';
import {
  buildReportEmail,
  type MonthlyReportSettings,
  reportRange,
  summaryLines,
} from '../../functions/services/monthly-report.ts';
import { reportData } from '../support/report-data.ts';

const settings: MonthlyReportSettings = {
  recipients: ['owner@shop.example'],
  locale: 'en',
  sender: 'Shop <news@shop.example>',
  configurationSetName: 'journeys',
  shopName: 'Shop',
  months: 12,
  activeWindowDays: 365,
};

describe('reportRange', () => {
  it('reports on the previous month, with the eleven months before it', () => {
    // Act
    const range = reportRange(new Date('2026-12-01T06:00:00Z'), 12, 365);

    // Assess
    expect(range).toEqual({
      month: '2026-11',
      from: '2025-12-01',
      to: '2026-12-01',
      period: 'month',
      activeWindowDays: 365,
    });
  });

  it('crosses the year in January', () => {
    expect(reportRange(new Date('2027-01-01T06:00:00Z'), 1, 180)).toMatchObject({
      month: '2026-12',
      from: '2026-12-01',
      to: '2027-01-01',
    });
  });
});

describe('summaryLines', () => {
  it('summarises the reported month of the whole shop in English', () => {
    // Act
    const lines = summaryLines(reportData(), '2026-11', 'en');

    // Assess
    expect(lines).toEqual([
      'Active customers at month end: 1,100 (start 1,000, new 300, reactivated 20, lost 220)',
      'Retention rate: 80% · Churn rate: 22%',
      'Orders: 412 · Revenue: €12,345.60 · Average order value: €29.96',
      'Net Promoter Score: 42 (57 responses)',
      'Emails sent: 3,210 · hard bounce rate 0.4% · complaint rate 0%',
    ]);
  });

  it('speaks German, and says n/a for undefined figures', () => {
    // Prepare
    const data = reportData();
    const last = data.periods[1];
    if (last) Object.assign(last, { retentionRate: null, nps: null, npsResponses: 0 });

    // Act
    const lines = summaryLines(data, '2026-11', 'de');

    // Assess (Intl puts a no-break space before % and €)
    expect(lines[1]).toBe('Bindungsrate: k. A. · Abwanderungsrate: 22\u00a0%');
    expect(lines[2]).toBe(
      'Bestellungen: 412 · Umsatz: 12.345,60\u00a0€ · Durchschnittlicher Bestellwert: 29,96\u00a0€',
    );
    expect(lines[3]).toBe('Net Promoter Score: k. A. (0 Antworten)');
  });

  it('says the month is empty when there is no row for it', () => {
    expect(summaryLines(reportData(), '2026-12', 'en')).toEqual([
      'No analytics records for this month: the report is empty.',
    ]);
  });
});

describe('buildReportEmail', () => {
  it('attaches the HTML report and sends through the configuration set, tagged as the report', () => {
    // Act
    const input = buildReportEmail(reportData(), '<html>report</html>', '2026-11', settings);

    // Assess
    const simple = input.Content?.Simple;
    expect(input.Destination?.ToAddresses).toEqual(['owner@shop.example']);
    expect(input.ConfigurationSetName).toBe('journeys');
    expect(input.EmailTags).toEqual([{ Name: 'report', Value: 'monthly' }]);
    expect(simple?.Subject?.Data).toBe('Retention report November 2026: Shop');
    expect(simple?.Attachments?.[0]).toMatchObject({
      FileName: 'retention-report-2026-11.html',
      ContentType: 'text/html',
      ContentDisposition: 'ATTACHMENT',
    });
    expect(new TextDecoder().decode(simple?.Attachments?.[0]?.RawContent)).toBe('<html>report</html>');
    expect(simple?.Body?.Text?.Data).toContain('attached as retention-report-2026-11.html');
  });

  it('escapes the summary in the HTML body and names the month in German', () => {
    // Act
    const input = buildReportEmail(reportData(), '<html/>', '2026-11', {
      ...settings,
      locale: 'de',
      shopName: 'Käse & <Co>',
    });

    // Assess
    expect(input.Content?.Simple?.Subject?.Data).toBe('Retention-Bericht November 2026: Käse & <Co>');
    expect(input.Content?.Simple?.Body?.Html?.Data).toContain(
      '<h1 style="font-size:20px">Retention-Bericht für November 2026</h1>',
    );
    expect(input.Content?.Simple?.Body?.Html?.Data).not.toContain('<Co>');
  });
});

describe('reportInstant', () => {
  const now = new Date('2026-12-15T12:00:00Z');

  it('uses the scheduled time, so a retried run reports the same month', () => {
    expect(reportInstant({ time: '2026-12-01T06:00:00Z', 'detail-type': 'Scheduled Event' }, now)).toEqual(
      new Date('2026-12-01T06:00:00Z'),
    );
  });

  it('reports a given month again: { month } means the instant after it', () => {
    expect(reportRange(reportInstant({ month: '2026-10' }, now), 1, 365).month).toBe('2026-10');
  });

  it('refuses a malformed month, naming the format', () => {
    expect(() => reportInstant({ month: '2026-13' }, now)).toThrow(
      'month must be YYYY-MM, e.g. "2026-10" (got "2026-13")',
    );
  });
});

describe('reportConfigFromEnv', () => {
  it('names the missing variable', () => {
    expect(() =>
      reportConfigFromEnv({ REPORT_RECIPIENTS: 'a@b.example', SENDER_ADDRESS: 'x@y.example' }),
    ).toThrow(/ATHENA_WORKGROUP/);
  });

  it('splits the recipients', () => {
    // Act
    const config = reportConfigFromEnv({
      REPORT_RECIPIENTS: 'a@b.example, c@d.example',
      SENDER_ADDRESS: 'x@y.example',
      ATHENA_WORKGROUP: 'wg',
      ATHENA_DATABASE: 'db',
    });

    // Assess
    expect(config.settings.recipients).toEqual(['a@b.example', 'c@d.example']);
    expect(config.settings.locale).toBe('en');
  });
});

describe('athenaValue', () => {
  it.each([
    ['42', 'bigint', 42],
    ['0.25', 'double', 0.25],
    ['true', 'boolean', true],
    ['59.90', 'decimal', '59.90'],
    ['', 'varchar', ''],
    [undefined, 'varchar', null],
  ])('maps %j of type %s to %j', (text, type, value) => {
    expect(athenaValue(text, type)).toEqual(value);
  });
});
