/**
 * The monthly report's email through the SES v2 emulator: the KPI computation and the renderer are
 * simple fakes (their own helpers test them), the send is real.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../analytics/report-types.ts';
import { MonthlyReportService, type ReportRequest } from '../../functions/services/monthly-report.ts';
import { reportData } from '../support/report-data.ts';
import { testEnv } from './env.ts';

describe('monthly report email', () => {
  it('computes the previous month, renders it in the locale and sends summary plus attachment', async () => {
    // Prepare
    const env = testEnv();
    const recipient = `owner-${randomUUID()}@shop.example`;
    const requests: ReportRequest[] = [];
    const rendered: { data: ReportData; locale: string }[] = [];
    const ses = env.sesClient();
    const service = new MonthlyReportService(
      {
        compute: async (request) => {
          requests.push(request);
          return reportData();
        },
        render: (data, { locale }) => {
          rendered.push({ data, locale });
          return `<!doctype html><html lang="${locale}"><body><h1>Bericht</h1><svg></svg></body></html>`;
        },
        ses,
      },
      {
        recipients: [recipient],
        locale: 'de',
        sender: 'Shop <news@shop.example>',
        shopName: 'Shop',
        months: 12,
        activeWindowDays: 365,
      },
    );

    try {
      // Act
      const result = await service.run(new Date('2026-12-01T06:00:00Z'));

      // Assess
      expect(requests).toEqual([
        { from: '2025-12-01', to: '2026-12-01', period: 'month', activeWindowDays: 365 },
      ]);
      expect(rendered.map((r) => r.locale)).toEqual(['de']);
      expect(result).toMatchObject({ month: '2026-11', recipients: 1, records: 123_456 });
      expect(result.messageId).not.toBe('');
      const [email, ...others] = await env.sesEmails(recipient);
      expect(others).toEqual([]);
      expect(email?.subject).toBe('Retention-Bericht November 2026: Shop');
      expect(email?.body.text).toContain('Bindungsrate: 80');
      expect(email?.body.html).toContain('Retention-Bericht für November 2026');
      expect(email?.attachments).toHaveLength(1);
      const attachment = email?.attachments[0] as unknown as {
        filename: string;
        contentType: string;
        content: string;
      };
      expect(attachment?.filename).toBe('retention-report-2026-11.html');
      expect(attachment?.contentType).toBe('text/html');
      expect(Buffer.from(attachment?.content ?? '', 'base64').toString('utf8')).toContain('<h1>Bericht</h1>');
    } finally {
      ses.destroy();
    }
  });
});
