/**
 * The analytics log (DESIGN.md §9): every event an analytics rule delivers — accepted shop events,
 * the system's own events, SES's sending events — becomes zero or more pseudonymous records
 * (analytics/records.ts), keyed with the customer's secret (adapters/analytics-keys.ts), written to
 * the sink: Firehose in AWS, JSON Lines locally. The Lambda handler, the local runtime and the
 * simulator all call `record`.
 *
 * Malformed or irrelevant input is counted and ignored, never thrown: a retry would not make it
 * valid. Infrastructure faults (DynamoDB, the sink) are thrown, so Lambda retries the event and
 * its dead-letter queue keeps it. Records may be written twice (a retry after the sink took them):
 * their ids are deterministic, and queries dedupe on `id`.
 */
import type { CustomerSecret } from '../adapters/analytics-keys.ts';
import { analyticsKeys } from '../analytics/keys.ts';
import type { AnalyticsRecord, AnalyticsSink } from '../analytics/record.ts';
import { analyticsRecords, analyticsSubject, SES_SOURCE } from '../analytics/records.ts';
import type { RawEvent } from '../core/events.ts';
import { firstTag, readSesEvent } from '../core/ses-event.ts';

export interface AnalyticsDeps {
  keys: { secret(customerId: string, options: { create: boolean }): Promise<CustomerSecret> };
  sink: AnalyticsSink;
  now: () => string;
  /**
   * The configuration set this stack sends with. SES events of another one (a second stack in the
   * account: every configuration set's events reach the default bus) are not this log's.
   */
  configurationSetName?: string | undefined;
}

export type AnalyticsOutcome =
  | { status: 'recorded'; records: AnalyticsRecord[] }
  /** Nothing to record: not an analytics event, rejected, or an erased customer's. */
  | { status: 'ignored'; reason: string };

/** What the service has seen since it was built (the handler logs and meters them). */
export interface AnalyticsCounts {
  recorded: number;
  ignored: number;
  erased: number;
}

export class AnalyticsService {
  readonly counts: AnalyticsCounts = { recorded: 0, ignored: 0, erased: 0 };

  constructor(private readonly deps: AnalyticsDeps) {}

  async record(event: RawEvent): Promise<AnalyticsOutcome> {
    const now = this.deps.now();
    if (this.foreignEmail(event)) return this.ignored('an email of another configuration set');
    const subject = analyticsSubject(event, now);
    if (subject.kind === 'none') return this.ignored(subject.reason);
    let context: Parameters<typeof analyticsRecords>[1];
    if (subject.kind === 'keyless') {
      context = { keys: undefined, locale: undefined, now };
    } else {
      // Throws on a DynamoDB fault: the event is retried.
      const found = await this.deps.keys.secret(subject.customerId, { create: true });
      if (found.status !== 'ok') {
        this.counts.erased++;
        return this.ignored('the customer was erased');
      }
      context = { keys: analyticsKeys(found.secret), locale: found.locale, now };
    }
    const records = analyticsRecords(event, context);
    if (!records.length) return this.ignored('no record for this event');
    await this.deps.sink.write(records);
    this.counts.recorded += records.length;
    return { status: 'recorded', records };
  }

  private foreignEmail(event: RawEvent): boolean {
    const name = this.deps.configurationSetName;
    if (!name || event.source !== SES_SOURCE) return false;
    const reading = readSesEvent(event);
    if ('ignored' in reading) return false;
    const set = firstTag(reading.detail.mail?.tags?.['ses:configuration-set']);
    return set !== undefined && set !== name;
  }

  private ignored(reason: string): AnalyticsOutcome {
    this.counts.ignored++;
    return { status: 'ignored', reason };
  }
}
