/**
 * The custom metric series the code can publish: the metric contract (functions/metrics.ts,
 * EMITTED_METRICS) times the compiled catalog's journeys and messages and the synthesised functions.
 */
import { EMITTED_METRICS, type EmittedMetric } from '../../functions/metrics.ts';

export interface SeriesCount {
  /** Series a healthy hour publishes. */
  traffic: number;
  /** Series published only when something fails. */
  failure: number;
  /** Per metric, for the printout: name, level and series. */
  metrics: { name: string; per: EmittedMetric['per']; when: EmittedMetric['when']; series: number }[];
}

export function countSeries(
  journeys: readonly { id: string; messages: readonly string[] }[],
  functions: number,
  emitted: readonly EmittedMetric[] = EMITTED_METRICS,
): SeriesCount {
  const journeysWithMessages = journeys.filter((j) => j.messages.length > 0).length;
  const per = (metric: EmittedMetric): number => {
    switch (metric.per) {
      case 'service':
        return 1;
      case 'journey':
        // SES events and sends only exist for journeys that send; the event counters for every journey.
        return metric.name.startsWith('ses_') || metric.name === 'emails_sent'
          ? journeysWithMessages
          : journeys.length;
      case 'message':
        return journeys.reduce((n, j) => n + j.messages.length, 0);
      case 'function':
        return functions;
    }
  };
  const metrics = emitted.map((m) => ({ ...m, series: per(m) }));
  const total = (when: EmittedMetric['when']) =>
    metrics.filter((m) => m.when === when).reduce((n, m) => n + m.series, 0);
  return { traffic: total('traffic'), failure: total('failure'), metrics };
}
