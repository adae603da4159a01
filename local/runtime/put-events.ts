/**
 * EventBridge's PutEvents as the local runtime takes it (`POST /events`, and `POST /` from the AWS
 * SDK): the request's shape, and each entry's envelope checked as EventBridge checks it.
 */
import { randomUUID } from 'node:crypto';
import { type RawEvent, SYSTEM_SOURCE } from '../../functions/core/events.ts';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: string;
  EventBusName?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const ENTRY_STRING_FIELDS = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;

const describeValue = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

/**
 * The PutEvents request's shape, checked before any entry is used: either the entries, or a reason
 * naming the entry index and field (what EventBridge answers with a 400 ValidationException). An entry
 * that is well-formed but incomplete (no Source, a Detail that is not JSON) is not a shape error: it
 * gets its per-entry error from `putEvents`, as on EventBridge. `Time` may be a string or, as the AWS
 * SDK sends it, epoch seconds; it is returned as an ISO string.
 */
export function validatePutEventsRequest(body: unknown): { entries: PutEventsEntry[] } | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: `the body must be a JSON object with Entries, not ${describeValue(body)}` };
  const entries = (body as { Entries?: unknown }).Entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10)
    return { error: 'Entries must be an array of 1 to 10 entries (PutEvents limit)' };
  const valid: PutEventsEntry[] = [];
  for (const [index, entry] of entries.entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return { error: `Entries[${index}] must be an object, not ${describeValue(entry)}` };
    const fields = entry as Record<string, unknown>;
    for (const field of ENTRY_STRING_FIELDS) {
      if (fields[field] !== undefined && typeof fields[field] !== 'string')
        return { error: `Entries[${index}].${field} must be a string, not ${describeValue(fields[field])}` };
    }
    const resources = fields.Resources;
    if (
      resources !== undefined &&
      !(Array.isArray(resources) && resources.every((r) => typeof r === 'string'))
    )
      return { error: `Entries[${index}].Resources must be an array of strings` };
    let time = fields.Time;
    if (typeof time === 'number') {
      // The SDK sends `date.getTime() / 1000`: rounding to the millisecond undoes the float's error
      // (1772438400.123 * 1000 is not exactly …123), so the instant sent is the instant read.
      const instant = new Date(Math.round(time * 1000));
      if (Number.isNaN(instant.getTime()))
        return { error: `Entries[${index}].Time must be epoch seconds within the Date range, not ${time}` };
      time = instant.toISOString();
    }
    if (time !== undefined && typeof time !== 'string')
      return {
        error: `Entries[${index}].Time must be a timestamp string or epoch seconds, not ${describeValue(time)}`,
      };
    valid.push({ ...(fields as PutEventsEntry), ...(time === undefined ? {} : { Time: time }) });
  }
  return { entries: valid };
}

/** One entry as the bus delivers it, or its per-entry error (as EventBridge answers it). */
export function parseEnvelope(
  entry: PutEventsEntry,
  now: string,
): RawEvent | { ErrorCode: string; ErrorMessage: string } {
  if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
  }
  // The bus policy in AWS (lib/retention-journeys.ts) lets only the project's functions put the
  // system's own source; locally only the dispatcher's internal publishing (onPublished) may.
  if (entry.Source === SYSTEM_SOURCE) {
    return {
      ErrorCode: 'AccessDeniedException',
      ErrorMessage: `source "${SYSTEM_SOURCE}" is reserved for the system's own events`,
    };
  }
  // EventBridge refuses `aws.*` sources from PutEvents: only AWS services emit them. Locally the
  // SES events come from the runtime's own source (local/runtime/ses-event-source.ts); a forged one could
  // otherwise settle an email as sent that never went out.
  // A partner source (`aws.partner/shopify.com/…`) is allowed: locally the one bus stands in for the
  // partner bus too, so a shop's Shopify webhooks can be replayed here in their own envelope.
  if (entry.Source.startsWith('aws.') && !entry.Source.startsWith('aws.partner/')) {
    return {
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: `source "${entry.Source}" is reserved for AWS services`,
    };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object' };
  }
  const time = entry.Time ? new Date(entry.Time) : undefined;
  if (time && Number.isNaN(time.getTime()))
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Time is not a timestamp' };
  return {
    id: randomUUID(),
    source: entry.Source,
    detailType: entry.DetailType,
    time: time ? time.toISOString().replace(/\.\d{3}Z$/, 'Z') : now,
    detail,
  };
}
