/** The local PutEvents endpoint's routing, its operation check, and `Time` as the AWS SDK sends it. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { eventsRoute, unknownOperation } from '../../local/runtime/events-http.ts';
import { validatePutEventsRequest } from '../../local/runtime/put-events.ts';

const request = (method: string, url: string, headers: Record<string, string> = {}) =>
  ({ method, url, headers }) as unknown as IncomingMessage;

describe('eventsRoute', () => {
  it.each([
    ['POST', '/events', 'serve'],
    ['POST', '/events/', 'serve'],
    ['POST', '/events?x=1', 'serve'],
    ['POST', '/', 'serve'],
    ['POST', '/?', 'serve'],
    ['GET', '/events', 'method-not-allowed'],
    ['PUT', '/events/', 'method-not-allowed'],
    ['GET', '/', undefined],
    ['POST', '/preferences', undefined],
    ['POST', '/eventsx', undefined],
  ])('%s %s → %s', (method, url, expected) => {
    expect(eventsRoute(request(method, url))).toBe(expected);
  });
});

describe('unknownOperation', () => {
  it('accepts PutEvents on / and on /events', () => {
    const target = { 'x-amz-target': 'AWSEvents.PutEvents' };
    expect(unknownOperation(request('POST', '/', target))).toBeUndefined();
    expect(unknownOperation(request('POST', '/events', target))).toBeUndefined();
  });

  it('accepts /events without a target (curl, fetch)', () => {
    expect(unknownOperation(request('POST', '/events'))).toBeUndefined();
  });

  it('refuses / without a target, naming the header', () => {
    expect(unknownOperation(request('POST', '/'))).toBe(
      'POST / needs the header X-Amz-Target: AWSEvents.PutEvents (as the AWS SDK sends); or POST the PutEvents body to /events',
    );
  });

  it('refuses any other operation, on either path', () => {
    const target = { 'x-amz-target': 'AWSEvents.DeleteRule' };
    const reason =
      '"AWSEvents.DeleteRule" is not an operation of the local runtime: it implements only AWSEvents.PutEvents';
    expect(unknownOperation(request('POST', '/', target))).toBe(reason);
    expect(unknownOperation(request('POST', '/events', target))).toBe(reason);
  });
});

describe('validatePutEventsRequest: Time', () => {
  const withTime = (Time: unknown) =>
    validatePutEventsRequest({ Entries: [{ Source: 'shop', DetailType: 't', Detail: '{}', Time }] });

  it('reads epoch seconds as seconds', () => {
    expect(withTime(Date.parse('2026-03-02T08:00:00Z') / 1000)).toEqual({
      entries: [expect.objectContaining({ Time: '2026-03-02T08:00:00.000Z' })],
    });
  });

  it('keeps the milliseconds of fractional seconds exactly, though seconds × 1000 is not exact in floats', () => {
    // 1093333324.001 * 1000 is 1093333324000.9999: truncated, it would be …000Z.
    expect(withTime(1093333324.001)).toEqual({
      entries: [expect.objectContaining({ Time: '2004-08-24T07:42:04.001Z' })],
    });
  });

  it('passes a timestamp string through', () => {
    expect(withTime('2026-03-02T08:00:00Z')).toEqual({
      entries: [expect.objectContaining({ Time: '2026-03-02T08:00:00Z' })],
    });
  });

  it.each([
    [1e300, 'Entries[0].Time must be epoch seconds within the Date range, not 1e+300'],
    [-1e300, 'Entries[0].Time must be epoch seconds within the Date range, not -1e+300'],
    [Number.POSITIVE_INFINITY, 'Entries[0].Time must be epoch seconds within the Date range, not Infinity'],
    [true, 'Entries[0].Time must be a timestamp string or epoch seconds, not a boolean'],
    [{}, 'Entries[0].Time must be a timestamp string or epoch seconds, not an object'],
  ])('refuses %s with a reason, never a RangeError', (time, error) => {
    expect(withTime(time)).toEqual({ error });
  });
});
