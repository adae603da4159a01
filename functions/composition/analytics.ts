/** The analytics log: pseudonymous records of events, written to a sink (Firehose, JSON Lines). */
import { AnalyticsKeyStore } from '../adapters/analytics-keys.ts';
import type { DocumentSender } from '../adapters/store.ts';
import type { AnalyticsSink } from '../analytics/record.ts';
import { AnalyticsService } from '../services/analytics.ts';

export function analyticsService(
  doc: DocumentSender,
  config: { tableName: string; configurationSetName: string | undefined },
  sink: AnalyticsSink,
  now: () => string,
): AnalyticsService {
  return new AnalyticsService({
    keys: new AnalyticsKeyStore(doc, config.tableName),
    sink,
    now,
    configurationSetName: config.configurationSetName,
  });
}
