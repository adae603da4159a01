/**
 * The monthly report: on the first of a month, compute the KPIs of the months up to the one that
 * just ended (Athena in AWS), render them as one self-contained HTML file, and email it to the
 * shop's recipients — a short summary in the body, the full report attached. The KPI computation and
 * the HTML renderer are injected (analytics/report.ts, analytics/html/render.ts); this file only
 * decides the range and builds the email, both pure, and sends it through SES v2.
 */
import { type SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { PeriodKpis, ReportData } from '../../analytics/report-types.ts';

export type ReportLocale = 'en' | 'de';

/** What the KPI computation is asked for (analytics/report.ts `computeReport` options). */
export interface ReportRequest {
  /** ISO date, inclusive: the first of the oldest month. */
  from: string;
  /** ISO date, exclusive: the first of the current month. */
  to: string;
  period: 'month';
  activeWindowDays: number;
}

export interface MonthlyReportSettings {
  recipients: readonly string[];
  locale: ReportLocale;
  /** The verified SES sender, `news@shop.example` or `Shop <news@shop.example>`. */
  sender: string;
  configurationSetName?: string | undefined;
  shopName: string;
  /** Monthly periods in the report, ending with the month reported on (trends, cohorts). */
  months: number;
  activeWindowDays: number;
}

export interface MonthlyReportDeps {
  compute: (request: ReportRequest) => Promise<ReportData>;
  render: (data: ReportData, options: { locale: ReportLocale }) => string;
  ses: Pick<SESv2Client, 'send'>;
}

/** SES v2 accepts messages up to 40 MB including attachments (base64 grows them by a third). */
export const MAX_ATTACHMENT_BYTES = 28 * 1024 * 1024;

/** The month reported on (the one before `now`'s, UTC) and the range computed for it. */
export function reportRange(
  now: Date,
  months: number,
  activeWindowDays: number,
): ReportRequest & { month: string } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const monthStart = new Date(Date.UTC(year, month - 1, 1));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return {
    month: iso(monthStart).slice(0, 7),
    from: iso(new Date(Date.UTC(year, month - Math.max(1, months), 1))),
    to: iso(new Date(Date.UTC(year, month, 1))),
    period: 'month',
    activeWindowDays,
  };
}

const TEXT = {
  en: {
    subject: (month: string, shop: string) => `Retention report ${month}: ${shop}`,
    heading: (month: string) => `Retention report for ${month}`,
    noData: 'No analytics records for this month: the report is empty.',
    customers: 'Active customers at month end',
    detail: (p: PeriodKpis, n: (x: number) => string) =>
      `start ${n(p.customersAtStart)}, new ${n(p.newCustomers)}, reactivated ${n(p.reactivatedCustomers)}, lost ${n(p.lostCustomers)}`,
    retention: 'Retention rate',
    churn: 'Churn rate',
    orders: 'Orders',
    revenue: 'Revenue',
    aov: 'Average order value',
    nps: 'Net Promoter Score',
    responses: (n: string) => `${n} responses`,
    emails: 'Emails sent',
    bounces: 'hard bounce rate',
    complaints: 'complaint rate',
    attached: (file: string) =>
      `The full report — trends, cohorts, journey funnels and holdout uplift — is attached as ${file}; open it in any web browser.`,
    none: 'n/a',
  },
  de: {
    subject: (month: string, shop: string) => `Retention-Bericht ${month}: ${shop}`,
    heading: (month: string) => `Retention-Bericht für ${month}`,
    noData: 'Für diesen Monat gibt es keine Analysedaten: der Bericht ist leer.',
    customers: 'Aktive Kundinnen und Kunden am Monatsende',
    detail: (p: PeriodKpis, n: (x: number) => string) =>
      `Anfang ${n(p.customersAtStart)}, neu ${n(p.newCustomers)}, reaktiviert ${n(p.reactivatedCustomers)}, verloren ${n(p.lostCustomers)}`,
    retention: 'Bindungsrate',
    churn: 'Abwanderungsrate',
    orders: 'Bestellungen',
    revenue: 'Umsatz',
    aov: 'Durchschnittlicher Bestellwert',
    nps: 'Net Promoter Score',
    responses: (n: string) => `${n} Antworten`,
    emails: 'Gesendete E-Mails',
    bounces: 'Hard-Bounce-Rate',
    complaints: 'Beschwerderate',
    attached: (file: string) =>
      `Der vollständige Bericht — Verläufe, Kohorten, Journey-Trichter und Holdout-Uplift — liegt als ${file} bei; er öffnet sich in jedem Webbrowser.`,
    none: 'k. A.',
  },
} as const;

/** The summary lines of the month, in the locale (pure). Undefined figures read "n/a". */
export function summaryLines(data: ReportData, month: string, locale: ReportLocale): string[] {
  const t = TEXT[locale];
  const tag = locale === 'de' ? 'de-DE' : 'en-GB';
  const n = (x: number) => new Intl.NumberFormat(tag).format(x);
  const pct = (x: number | null) =>
    x === null
      ? t.none
      : new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 }).format(x);
  const money = (byCurrency: Record<string, string>) => {
    const parts = Object.entries(byCurrency)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amount]) =>
        new Intl.NumberFormat(tag, { style: 'currency', currency }).format(Number(amount)),
      );
    return parts.length ? parts.join(' · ') : t.none;
  };
  const row = data.periods.find((p) => p.market === null && p.start.startsWith(month));
  if (!row) return [t.noData];
  const lines = [
    `${t.customers}: ${n(row.customersAtEnd)} (${t.detail(row, n)})`,
    `${t.retention}: ${pct(row.retentionRate)} · ${t.churn}: ${pct(row.churnRate)}`,
    `${t.orders}: ${n(row.orders)} · ${t.revenue}: ${money(row.revenue)} · ${t.aov}: ${money(row.averageOrderValue)}`,
    `${t.nps}: ${row.nps === null ? t.none : n(Math.round(row.nps))} (${t.responses(n(row.npsResponses))})`,
  ];
  const health = data.emailHealth;
  if (health && health.sent > 0) {
    lines.push(
      `${t.emails}: ${n(health.sent)} · ${t.bounces} ${pct(health.bounceRate)} · ${t.complaints} ${pct(health.complaintRate)}`,
    );
  }
  return lines;
}

/** The SendEmail request: summary as text and HTML body, the report as an HTML attachment (pure). */
export function buildReportEmail(
  data: ReportData,
  html: string,
  month: string,
  settings: MonthlyReportSettings,
): SendEmailCommandInput {
  const t = TEXT[settings.locale];
  const tag = settings.locale === 'de' ? 'de-DE' : 'en-GB';
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const monthName = new Intl.DateTimeFormat(tag, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, mm - 1, 1)),
  );
  const file = `retention-report-${month}.html`;
  const lines = summaryLines(data, month, settings.locale);
  const attachment = new TextEncoder().encode(html);
  if (attachment.byteLength > MAX_ATTACHMENT_BYTES) {
    throw new RangeError(
      `the report is ${attachment.byteLength} bytes, more than SES can send (${MAX_ATTACHMENT_BYTES} bytes as an attachment)`,
    );
  }
  const heading = t.heading(monthName);
  const text = [heading, '', ...lines, '', t.attached(file), ''].join('\n');
  const htmlBody = `<!doctype html><html lang="${settings.locale}"><body style="font-family:system-ui,sans-serif;color:#1f2937"><h1 style="font-size:20px">${escapeHtml(heading)}</h1><ul>${lines
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join('')}</ul><p>${escapeHtml(t.attached(file))}</p></body></html>`;
  return {
    FromEmailAddress: settings.sender,
    Destination: { ToAddresses: [...settings.recipients] },
    ...(settings.configurationSetName ? { ConfigurationSetName: settings.configurationSetName } : {}),
    // Not a journey email: the SES-events handler and the analytics log find no outbox id in it.
    EmailTags: [{ Name: 'report', Value: 'monthly' }],
    Content: {
      Simple: {
        Subject: { Data: t.subject(monthName, settings.shopName), Charset: 'UTF-8' },
        Body: {
          Text: { Data: text, Charset: 'UTF-8' },
          Html: { Data: htmlBody, Charset: 'UTF-8' },
        },
        Attachments: [
          {
            FileName: file,
            ContentType: 'text/html',
            ContentDisposition: 'ATTACHMENT',
            ContentTransferEncoding: 'BASE64',
            RawContent: attachment,
          },
        ],
      },
    },
  };
}

export interface MonthlyReportResult {
  month: string;
  messageId: string;
  recipients: number;
  records: number;
}

export class MonthlyReportService {
  constructor(
    private readonly deps: MonthlyReportDeps,
    private readonly settings: MonthlyReportSettings,
  ) {}

  /** Reports on the month before `now` (UTC). */
  async run(now: Date): Promise<MonthlyReportResult> {
    const { month, ...request } = reportRange(now, this.settings.months, this.settings.activeWindowDays);
    const data = await this.deps.compute(request);
    const html = this.deps.render(data, { locale: this.settings.locale });
    const response = await this.deps.ses.send(
      new SendEmailCommand(buildReportEmail(data, html, month, this.settings)),
    );
    return {
      month,
      messageId: response.MessageId ?? '',
      recipients: this.settings.recipients.length,
      records: data.generated?.records ?? 0,
    };
  }
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
