/**
 * The deterministic order of a simulation's report, although customers ran side by side: time; then
 * causes before effects (generation: a published event's arrival after the work that emitted it);
 * then customer; then events before notes before emails (entries of one customer keep the order they
 * happened in). Emails and published events: time, customer, then message or detail type.
 *
 * One process sorts its whole result. A parallel run (parallel.ts) sorts each worker's part in that
 * worker, and the coordinator merges the sorted parts: the same order as sorting the parts joined in
 * worker order, because every key compares as `Intl.Collator` compares the texts (ranks, below) and
 * ties keep worker order, then the order within the worker.
 */
import type { SimulationResult, TimelineLine } from './timeline.ts';

/** The lists that are put in order, with each timeline line's generation. */
export interface OrderedLists {
  timeline: readonly TimelineLine[];
  generations: readonly number[];
  emails: readonly SimulationResult['emails'][number][];
  events: readonly SimulationResult['events'][number][];
}

/** Each list's order: the positions of its entries, first to last. */
export interface ListOrders {
  timeline: Int32Array;
  emails: Int32Array;
  events: Int32Array;
}

const KIND_RANK = { event: 0, rejected: 1, note: 2, error: 3, email: 4, emit: 5 } as const;

/** Comparison keys, `stride` numbers per entry, compared left to right. */
interface Keys {
  values: Float64Array;
  stride: number;
  length: number;
}

/** The ranks of the texts compared: customers, messages (`journey/message`), event detail types. */
interface Ranks {
  customers: Map<string, number>;
  messages: Map<string, number>;
  detailTypes: Map<string, number>;
}

// A year of a shop orders a million lines, so each distinct text is collated once (its rank) and the
// entries compare ranks.
const collate = new Intl.Collator().compare;

/**
 * Each distinct text's place in `collate`'s order, texts the collator holds equal sharing one: comparing
 * two ranks gives the sign `collate` gives for the texts.
 */
function collationRanks(texts: Iterable<string>): Map<string, number> {
  const distinct = [...new Set(texts)].sort(collate);
  const ranks = new Map<string, number>();
  let rank = 0;
  distinct.forEach((text, i) => {
    if (i > 0 && collate(distinct[i - 1] as string, text) !== 0) rank++;
    ranks.set(text, rank);
  });
  return ranks;
}

function* customersOf(lists: OrderedLists): Iterable<string> {
  for (const line of lists.timeline) yield line.customerId ?? '';
  for (const email of lists.emails) yield email.customerId ?? '';
  for (const event of lists.events) yield String(event.detail.customerId ?? '');
}

function ranksOf(parts: readonly OrderedLists[]): Ranks {
  return {
    customers: collationRanks(parts.flatMap((p) => [...customersOf(p)])),
    messages: collationRanks(parts.flatMap((p) => p.emails.map((e) => `${e.journey}/${e.message}`))),
    detailTypes: collationRanks(parts.flatMap((p) => p.events.map((e) => e.detailType))),
  };
}

function keys<T>(items: readonly T[], stride: number, fill: (item: T, index: number) => number[]): Keys {
  const values = new Float64Array(items.length * stride);
  items.forEach((item, i) => {
    values.set(fill(item, i), i * stride);
  });
  return { values, stride, length: items.length };
}

function listKeys(lists: OrderedLists, ranks: Ranks): { timeline: Keys; emails: Keys; events: Keys } {
  const rank = (map: Map<string, number>, text: string) => map.get(text) as number;
  return {
    timeline: keys(lists.timeline, 4, (line, i) => [
      Date.parse(line.at),
      lists.generations[i] ?? 0,
      rank(ranks.customers, line.customerId ?? ''),
      KIND_RANK[line.kind],
    ]),
    emails: keys(lists.emails, 3, (email) => [
      Date.parse(email.sentAt),
      rank(ranks.customers, email.customerId ?? ''),
      rank(ranks.messages, `${email.journey}/${email.message}`),
    ]),
    events: keys(lists.events, 3, (event) => [
      Date.parse(event.at),
      rank(ranks.customers, String(event.detail.customerId ?? '')),
      rank(ranks.detailTypes, event.detailType),
    ]),
  };
}

/** Compares entry `i` of `a` with entry `j` of `b` (both with the same stride). */
function compareKeys(a: Keys, i: number, b: Keys, j: number): number {
  for (let k = 0; k < a.stride; k++) {
    const d = (a.values[i * a.stride + k] as number) - (b.values[j * b.stride + k] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** A stable order of the entries by their keys. */
function sortedPositions(k: Keys): Int32Array {
  const order = Int32Array.from({ length: k.length }, (_, i) => i);
  // Int32Array's sort is not guaranteed stable: positions break the ties.
  return order.sort((i, j) => compareKeys(k, i, k, j) || i - j);
}

/** The order of one result's lists (in one process, or of a worker's part). */
export function listOrders(lists: OrderedLists): ListOrders {
  const k = listKeys(lists, ranksOf([lists]));
  return {
    timeline: sortedPositions(k.timeline),
    emails: sortedPositions(k.emails),
    events: sortedPositions(k.events),
  };
}

/** Sorted parts, merged: entries equal in every key keep part order. Returns [part, position] pairs. */
function mergeSorted(parts: { keys: Keys; order: Int32Array }[]): [number, number][] {
  const heads = parts.map(() => 0);
  const merged: [number, number][] = [];
  for (;;) {
    let best = -1;
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p] as (typeof parts)[number];
      const head = heads[p] as number;
      if (head >= part.order.length) continue;
      if (best < 0) best = p;
      else {
        const top = parts[best] as (typeof parts)[number];
        const order = compareKeys(
          part.keys,
          part.order[head] as number,
          top.keys,
          top.order[heads[best] as number] as number,
        );
        if (order < 0) best = p;
      }
    }
    if (best < 0) return merged;
    const head = heads[best] as number;
    merged.push([best, (parts[best] as (typeof parts)[number]).order[head] as number]);
    heads[best] = head + 1;
  }
}

/** Parts each in its own order (`listOrders`), as one set of lists in the order of them all. */
export function mergeOrderedParts(parts: readonly (OrderedLists & { orders: ListOrders })[]): {
  timeline: TimelineLine[];
  emails: SimulationResult['emails'];
  events: SimulationResult['events'];
} {
  const ranks = ranksOf(parts);
  const partKeys = parts.map((p) => listKeys(p, ranks));
  const pick = <T>(list: (p: OrderedLists) => readonly T[], name: keyof ListOrders): T[] =>
    mergeSorted(
      parts.map((p, i) => ({
        keys: (partKeys[i] as ReturnType<typeof listKeys>)[name],
        order: p.orders[name],
      })),
    ).map(([part, position]) => list(parts[part] as OrderedLists)[position] as T);
  return {
    timeline: pick((p) => p.timeline, 'timeline'),
    emails: pick((p) => p.emails, 'emails'),
    events: pick((p) => p.events, 'events'),
  };
}

/** `collate`, for the lists still sorted by comparing texts (rejections and errors, a few). */
export { collate };
