/**
 * `journeys simulate`: runs a scenario on a virtual clock through the real handlers, store and
 * dispatcher against DynamoDB Local and the SES emulator. The clock jumps from one due moment (the
 * next scenario event or the next timer) to the next, so months of journey time take seconds.
 */
import { readFile } from 'node:fs/promises';
import { DateTime, Duration } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { VirtualClock } from '../functions/adapters/clock.ts';
import type { Catalog } from '../functions/catalog/catalog.ts';
import { formatIssues } from '../functions/core/events.ts';
import { forEachCustomer } from '../functions/services/concurrency.ts';
import { expectationSchema } from './expectations.ts';
import { LocalRuntime, type PublishedEvent } from './runtime.ts';

/** Customers simulated side by side; each customer's own events and timers stay in order. */
const CONCURRENCY = 8;

import { type SesEmail, sesEmulatorStore } from './servers.ts';

const offsetOrInstant = z
  .string()
  .refine((v) => Duration.fromISO(v).isValid || DateTime.fromISO(v, { setZone: true }).isValid, {
    message: 'must be an ISO 8601 duration from start (PT0S, P3D) or a timestamp',
  });

export const scenarioSchema = z
  .object({
    start: z.iso.datetime({
      offset: true,
      message: 'must be an ISO 8601 timestamp such as 2026-03-02T08:00:00Z',
    }),
    until: z
      .string()
      .refine((v) => Duration.fromISO(v).isValid, { message: 'must be an ISO 8601 duration such as P30D' }),
    events: z
      .array(
        z
          .object({
            at: offsetOrInstant,
            id: z.string().min(1).optional(),
            source: z.string().min(1).default('shop'),
            detailType: z.string().min(1),
            detail: z.record(z.string(), z.unknown()),
          })
          .strict(),
      )
      .default([]),
    /** The expected timeline; `journeys simulate --check` and the scenario tests compare against it. */
    expect: expectationSchema.optional(),
    /** What the scenario shows, for people reading it. */
    description: z.string().optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;

export interface SimulatedEmail {
  sentAt: string;
  customerId: string;
  to: string;
  journey: string;
  message: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface SimulationResult {
  emails: SimulatedEmail[];
  events: { at: string; source: string; detailType: string; detail: Record<string, unknown> }[];
  rejected: { index: number; detailType: string; errors: string[] }[];
  /** Human-readable account in time order, for the default output. */
  timeline: {
    at: string;
    customerId?: string | undefined;
    kind: 'event' | 'email' | 'emit' | 'note' | 'rejected' | 'error';
    text: string;
  }[];
  stats: { virtualDays: number; wallMs: number; steps: number };
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

export async function readScenario(file: string): Promise<Scenario> {
  let raw: unknown;
  try {
    const text = await readFile(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`${file}: cannot read the scenario: ${(error as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ScenarioError(
      `${file} is not a valid scenario:\n  ${formatIssues(parsed.error.issues, 'a scenario').join('\n  ')}`,
    );
  }
  return parsed.data;
}

const iso = (dt: DateTime) => dt.toUTC().toISO({ suppressMilliseconds: true }) as string;

function resolveAt(start: string, at: string): string {
  const offset = Duration.fromISO(at);
  return offset.isValid
    ? iso(DateTime.fromISO(start).plus(offset))
    : iso(DateTime.fromISO(at, { setZone: true }));
}

export interface SimulationServers {
  dynamoEndpoint: string;
  sesEndpoint: string;
}

export async function simulate(
  scenario: Scenario,
  catalog: Catalog,
  servers: SimulationServers,
  options: { tableName?: string; onProgress?: (at: string) => void } = {},
): Promise<SimulationResult> {
  const wallStart = performance.now();
  const start = iso(DateTime.fromISO(scenario.start, { setZone: true }));
  const end = iso(DateTime.fromISO(start).plus(Duration.fromISO(scenario.until)));
  const clock = new VirtualClock(start);
  const published: PublishedEvent[] = [];
  const runtime = await LocalRuntime.create({
    catalog,
    clock,
    dynamoEndpoint: servers.dynamoEndpoint,
    sesEndpoint: servers.sesEndpoint,
    env: { TABLE_NAME: options.tableName ?? `simulation-${Date.now()}-${Math.floor(Math.random() * 1e6)}` },
    onPublish: (event) => published.push(event),
  });

  const result: SimulationResult = {
    emails: [],
    events: [],
    rejected: [],
    timeline: [],
    stats: { virtualDays: 0, wallMs: 0, steps: 0 },
  };
  const sentOutcomes: Extract<
    Awaited<ReturnType<LocalRuntime['drainOutbox']>>['outcomes'][number],
    { status: 'sent' }
  >[] = [];
  const queue = scenario.events
    .map((e, index) => ({ ...e, index, time: resolveAt(start, e.at) }))
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.index - b.index);

  const settle = async () => {
    const { outcomes, failures } = await runtime.drainOutbox();
    for (const outcome of outcomes) {
      if (outcome.status === 'sent') sentOutcomes.push(outcome);
      if (outcome.status === 'failed')
        result.timeline.push({
          at: clock.now(),
          kind: 'error',
          text: `outbox ${outcome.outboxId} failed: ${outcome.reason}`,
        });
      if (outcome.status === 'skipped' && !outcome.reason.startsWith('already')) {
        result.timeline.push({
          at: clock.now(),
          kind: 'note',
          text: `outbox ${outcome.outboxId} skipped: ${outcome.reason}`,
        });
      }
    }
    for (const failure of failures)
      result.timeline.push({ at: clock.now(), kind: 'error', text: `dispatch failed: ${failure}` });
  };

  let cursor = 0;
  let lastTimerAt: string | undefined;
  for (;;) {
    const nextEvent = queue[cursor]?.time;
    const nextTimer = await runtime.nextTimer();
    const candidates = [nextEvent, nextTimer].filter(
      (t): t is string => t !== undefined && Date.parse(t) <= Date.parse(end),
    );
    if (candidates.length === 0) break;
    const next = candidates.sort((a, b) => Date.parse(a) - Date.parse(b))[0] as string;
    if (Date.parse(next) > Date.parse(clock.now())) clock.set(next);
    result.stats.steps++;
    options.onProgress?.(clock.now());

    if (nextEvent !== undefined && Date.parse(nextEvent) <= Date.parse(clock.now())) {
      const batch: (typeof queue)[number][] = [];
      while (queue[cursor] && Date.parse(queue[cursor]?.time as string) <= Date.parse(clock.now())) {
        batch.push(queue[cursor++] as (typeof queue)[number]);
      }
      // Customers side by side, each customer's events in scenario order — as EventBridge would.
      await forEachCustomer(
        batch,
        (e) => String(e.detail.customerId ?? ''),
        CONCURRENCY,
        async (e) => {
          const customerId = String(e.detail.customerId ?? '');
          const at = clock.now();
          const delivery = await runtime.deliver({
            id: e.id ?? `scenario-${e.index}`,
            source: e.source,
            detailType: e.detailType,
            time: e.time,
            detail: e.detail,
          });
          result.timeline.push({
            at,
            customerId,
            kind: 'event',
            text: `${e.detailType} ${customerId}`.trim(),
          });
          const rejected = delivery.targets.find((t) => t.outcome?.status === 'rejected');
          if (rejected?.outcome?.status === 'rejected') {
            result.rejected.push({
              index: e.index,
              detailType: e.detailType,
              errors: rejected.outcome.errors,
            });
            result.timeline.push({
              at,
              customerId,
              kind: 'rejected',
              text: rejected.outcome.errors.join('; '),
            });
          } else if (!delivery.targets.length) {
            result.timeline.push({
              at,
              customerId,
              kind: 'note',
              text: `no rule matches ${e.source}/${e.detailType}`,
            });
          }
          for (const t of delivery.targets) {
            if (t.error)
              result.timeline.push({ at, customerId, kind: 'error', text: `${t.target}: ${t.error}` });
            if (t.outcome && 'trace' in t.outcome) {
              for (const note of t.outcome.trace) {
                result.timeline.push({
                  at,
                  customerId,
                  kind: 'note',
                  text: `${note.journeyId} ${note.note}`,
                });
              }
            }
          }
        },
      );
    } else {
      // Only timers are due. A timer that stays due (its decision failing) must not spin forever.
      if (lastTimerAt === clock.now() && nextTimer === clock.now()) {
        result.timeline.push({
          at: clock.now(),
          kind: 'error',
          text: 'a timer keeps failing; skipping ahead',
        });
        break;
      }
      lastTimerAt = clock.now();
      const report = await runtime.sweep();
      for (const note of report.trace) {
        result.timeline.push({
          at: clock.now(),
          customerId: note.customerId,
          kind: 'note',
          text: `${note.journeyId} ${note.note}`,
        });
      }
      for (const failure of report.failed) {
        result.timeline.push({
          at: clock.now(),
          kind: 'error',
          text: `timer ${failure.journeyId}/${failure.customerId}: ${failure.error}`,
        });
      }
    }
    await settle();
  }

  // Join what the dispatcher sent with what the SES emulator received, by message id.
  const sesEmails = new Map<string, SesEmail>(
    (await sesEmulatorStore(servers.sesEndpoint).emails()).map((m) => [m.messageId, m]),
  );
  for (const sent of sentOutcomes) {
    const mail = sesEmails.get(sent.messageId);
    const email: SimulatedEmail = {
      sentAt: sent.sentAt,
      customerId: sent.customerId,
      to: sent.to,
      journey: sent.journeyId,
      message: sent.message,
      locale: sent.locale,
      subject: mail?.subject ?? '',
      text: mail?.body.text ?? '',
      html: mail?.body.html ?? '',
      headers: Object.fromEntries((mail?.headers ?? []).map((h) => [h.name, h.value])),
    };
    result.emails.push(email);
    result.timeline.push({
      at: sent.sentAt,
      customerId: sent.customerId,
      kind: 'email',
      text: `${sent.journeyId}/${sent.message} [${sent.locale}] → ${sent.to} “${email.subject}”`,
    });
  }
  for (const event of published) {
    result.events.push({
      at: event.time,
      source: event.source,
      detailType: event.detailType,
      detail: event.detail,
    });
    if (!event.detailType.startsWith('journey.')) {
      result.timeline.push({
        at: event.time,
        customerId: String(event.detail.customerId ?? ''),
        kind: 'emit',
        text: `${event.detailType} ${JSON.stringify(event.detail)}`,
      });
    }
  }
  // A deterministic order although customers ran side by side: time, customer, then events before
  // notes before emails (entries of one customer keep the order they happened in).
  const rank = { event: 0, rejected: 1, note: 2, error: 3, email: 4, emit: 5 } as const;
  const byCustomer = (a?: string, b?: string) => (a ?? '').localeCompare(b ?? '');
  result.timeline.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      byCustomer(a.customerId, b.customerId) ||
      rank[a.kind] - rank[b.kind],
  );
  result.emails.sort(
    (a, b) =>
      Date.parse(a.sentAt) - Date.parse(b.sentAt) ||
      byCustomer(a.customerId, b.customerId) ||
      `${a.journey}/${a.message}`.localeCompare(`${b.journey}/${b.message}`),
  );
  result.events.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      byCustomer(String(a.detail.customerId ?? ''), String(b.detail.customerId ?? '')) ||
      a.detailType.localeCompare(b.detailType),
  );
  result.stats.wallMs = Math.round(performance.now() - wallStart);
  result.stats.virtualDays = Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000);
  return result;
}
