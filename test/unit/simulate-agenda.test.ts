/**
 * The simulator's windows (local/simulate/agenda.ts): customers work side by side inside a window,
 * and a window ends where one customer's work may meet another's — just before an event that reads
 * what others wrote, and with the work of a journey that emits to another customer — without the
 * schedule naming any journey or event type.
 */
import { describe, expect, it } from 'vitest';
import type { SaveRequest } from '../../functions/adapters/store.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { JourneyDefinition } from '../../functions/core/definition.ts';
import { Agendas, journeysEmittingToOthers, takeEvent } from '../../local/simulate/agenda.ts';

const START = '2026-05-01T08:00:00Z';
const END = '2026-05-30T08:00:00Z';

/** A decision that leaves one instance of `journeyId` waiting until `dueAt`. */
const waiting = (customerId: string, journeyId: string, dueAt: string) =>
  ({
    customerId,
    instances: [{ journeyId, instanceId: 'i1', status: 'active', waiting: { dueAt } }],
    now: START,
  }) as unknown as SaveRequest;

const event = (index: number, time: string) => ({
  at: time,
  time,
  index,
  source: 'shop',
  detailType: 'order.placed',
  detail: {},
});

describe('simulator windows', () => {
  it('finds the journeys with an emit step addressed to another customer, in any branch', () => {
    const catalog = {
      journeys: [
        { definition: { id: 'plain', steps: [{ emit: { detailType: 'x.y' } }] } },
        {
          definition: {
            id: 'nested',
            steps: [
              {
                if: { event: { field: 'a', exists: true } },
                then: [],
                else: [{ emit: { detailType: 'x.y', to: 'otherId' } }],
              },
            ],
          },
        },
      ] as unknown as { definition: JourneyDefinition; version: string }[],
    } as Catalog;
    expect([...journeysEmittingToOthers(catalog)]).toEqual(['nested']);
  });

  it('is a day long when customers cannot meet', () => {
    const agendas = new Agendas(new Set());
    agendas.queue('a', event(0, START), true);
    agendas.follow(waiting('b', 'plain', '2026-05-01T10:00:00Z'), { customerId: 'b', generation: 0 });
    expect(agendas.nextWindow(START, END)).toEqual({ from: START, until: '2026-05-02T08:00:00Z' });
  });

  it('ends with the work of a journey that may emit to another customer, so the receiver gets it in order', () => {
    const agendas = new Agendas(new Set(['emitting']));
    agendas.queue('a', event(0, START), true);
    agendas.queue('b', event(1, '2026-05-01T12:00:00Z'), true);
    agendas.follow(waiting('a', 'emitting', '2026-05-01T10:00:00Z'), { customerId: 'a', generation: 0 });
    expect(agendas.nextWindow(START, END)).toEqual({ from: START, until: '2026-05-01T08:00:00Z' });
    takeEvent(agendas.of('a'));
    expect(agendas.nextWindow(START, END)).toEqual({
      from: '2026-05-01T10:00:00Z',
      until: '2026-05-01T10:00:00Z',
    });
  });

  it('ends just before an event that reads what other customers wrote, and starts the next one there', () => {
    const agendas = new Agendas(new Set());
    agendas.readsOthersAt(['2026-05-01T09:00:00Z']);
    agendas.queue('a', event(0, START), true);
    agendas.queue('b', event(1, '2026-05-01T09:00:00Z'), true);
    const window = agendas.nextWindow(START, END);
    expect(window).toEqual({ from: START, until: '2026-05-01T08:59:59.999Z' });
    expect(agendas.after(window?.until as string)).toBe('2026-05-01T09:00:00Z');
  });
});
