/**
 * AWS's documented SES event records (test/fixtures/ses, see SOURCES.md): whether the shared SES
 * rule pattern routes each one, and what the one SES reading (functions/core/ses-event.ts) makes of it.
 * The samples were sent through AWS's configuration set `ConfigSet`; none carries this system's
 * `outbox` tag, so none settles an email (`target` undefined).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchesPattern, sesEventPattern } from '../../functions/core/routing.ts';
import { readSesEvent } from '../../functions/core/ses-event.ts';

const SAMPLE_SET = 'ConfigSet';

interface Sample {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  detail: Record<string, unknown>;
}

const load = (name: string): Sample =>
  JSON.parse(readFileSync(new URL(`../fixtures/ses/${name}.json`, import.meta.url), 'utf8'));

const asRouted = (sample: Sample) => ({
  source: sample.source,
  detailType: sample['detail-type'],
  detail: sample.detail,
});

const asRead = (sample: Sample) => ({
  id: sample.id,
  detailType: sample['detail-type'],
  time: sample.time,
  detail: sample.detail,
});

/** Each sample: routed with its own configuration set, and what it is read as. */
const EXPECTED: [name: string, routed: boolean, reading: Record<string, unknown>][] = [
  ['send', true, { kind: 'sent', at: '2016-10-14T05:02:16Z', target: undefined }],
  ['delivery', true, { kind: 'delivered', at: '2016-10-19T23:21:04Z', target: undefined }],
  [
    'bounce',
    true,
    { kind: 'bounced', bounceType: 'permanent', at: '2017-08-05T00:41:02Z', target: undefined },
  ],
  ['complaint', true, { kind: 'complained', at: '2017-08-05T00:41:02Z', target: undefined }],
  ['reject', true, { kind: 'rejected', at: '2016-10-14T17:38:15Z', target: undefined }],
  ['rendering-failure', true, { kind: 'renderingFailed', at: '2018-01-22T18:43:06Z', target: undefined }],
  ['open', true, { kind: 'opened', at: '2017-08-09T22:00:19Z', target: undefined }],
  ['click', true, { kind: 'clicked', at: '2017-08-09T23:51:25Z', target: undefined }],
  // Not published by the configuration set (lib/email.ts), so not routed; the reading ignores them.
  ['delivery-delay', false, { ignored: 'DeliveryDelay' }],
  ['subscription', false, { ignored: 'Subscription' }],
];

describe('the SES samples', () => {
  it.each(EXPECTED)('%s: routed=%s with its own configuration set', (name, routed) => {
    // Act
    const matched = matchesPattern(sesEventPattern(SAMPLE_SET), asRouted(load(name)));

    // Assess
    expect(matched).toBe(routed);
  });

  it.each(EXPECTED)('%s: not routed for another configuration set', (name) => {
    expect(matchesPattern(sesEventPattern('retention-journeys'), asRouted(load(name)))).toBe(false);
  });

  it.each(EXPECTED)('%s: is read as %s', (name, _routed, reading) => {
    // Act
    const read = readSesEvent(asRead(load(name)));

    // Assess
    expect(read).toMatchObject(reading);
  });

  it('covers every sample in the folder', () => {
    const names = readdirSync(new URL('../fixtures/ses/', import.meta.url))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(names).toEqual(EXPECTED.map(([name]) => name).sort());
  });
});

describe('the SES pattern', () => {
  const event = (detail: unknown, source = 'aws.ses', detailType = 'Email Delivered') => ({
    source,
    detailType,
    detail,
  });
  const pattern = sesEventPattern('shop');

  it('matches when any of the tag values is the configuration set', () => {
    expect(
      matchesPattern(pattern, event({ mail: { tags: { 'ses:configuration-set': ['x', 'shop'] } } })),
    ).toBe(true);
  });

  it('matches a single string value, as EventBridge does', () => {
    expect(matchesPattern(pattern, event({ mail: { tags: { 'ses:configuration-set': 'shop' } } }))).toBe(
      true,
    );
  });

  it.each([
    ['another source', event({ mail: { tags: { 'ses:configuration-set': ['shop'] } } }, 'shop.example')],
    [
      'another detail-type',
      event({ mail: { tags: { 'ses:configuration-set': ['shop'] } } }, 'aws.ses', 'Email Subscribed'),
    ],
    ['no tags', event({ mail: {} })],
    ['no mail', event({})],
    ['no detail', event(undefined)],
    ['a detail that is an array', event([])],
    ['tags that are a string', event({ mail: { tags: 'shop' } })],
    [
      'a tag value that is not a string',
      event({ mail: { tags: { 'ses:configuration-set': [{ shop: 1 }] } } }),
    ],
    [
      'the tag only on the prototype',
      event({ mail: { tags: Object.create({ 'ses:configuration-set': ['shop'] }) } }),
    ],
    [
      'a __proto__ key',
      event(JSON.parse('{"mail":{"__proto__":{"tags":{"ses:configuration-set":["shop"]}}}}')),
    ],
  ])('does not match %s', (_name, e) => {
    expect(matchesPattern(pattern, e)).toBe(false);
  });
});
