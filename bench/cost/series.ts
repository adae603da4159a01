/**
 * The custom metric series the code can publish: the metric contract (functions/metrics.ts,
 * EMITTED_METRICS) times the compiled catalog's journeys.
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
  journeys: readonly { id: string }[],
  emitted: readonly EmittedMetric[] = EMITTED_METRICS,
): SeriesCount {
  const per = (metric: EmittedMetric): number => (metric.per === 'journey' ? journeys.length : 1);
  const metrics = emitted.map((m) => ({ ...m, series: per(m) }));
  const total = (when: EmittedMetric['when']) =>
    metrics.filter((m) => m.when === when).reduce((n, m) => n + m.series, 0);
  return { traffic: total('traffic'), failure: total('failure'), metrics };
}
