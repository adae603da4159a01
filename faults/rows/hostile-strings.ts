/**
 * Hostile strings: markup, Liquid, CR/LF, direction overrides, control characters, very long and
 * astral text and prototype keys in every customer-supplied field that reaches an email — first
 * name (at registration and by update), email local part, order id, item names and SKUs, discount
 * code, NPS comment — with locales and time zones at the edge. Two parts:
 *
 * 1. End to end: customers with hostile data register, order, get deliveries and answer the NPS
 *    question on the simulator (memory table, real dispatcher, real SES emulator). The catalog puts
 *    customer data into every subject, as a marketer may. Every email SES received is checked
 *    (emailLeaks), and compared per customer with a benign twin run: a customer whose events were
 *    all accepted must get the same messages (lost / doubled).
 * 2. Every message in several locales rendered directly with each payload in every field at once.
 *
 * crashed: a handler, the dispatcher or the renderer threw; a clean rejection by validation is fine.
 */
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { createRenderer, type RenderData, type TemplateCatalog } from '../../functions/email/index.ts';
import type { Scenario } from '../../local/simulate/index.ts';
import {
  EDGE_LOCALES,
  EDGE_TIME_ZONES,
  EMAIL_LOCAL_PARTS,
  emailLeaks,
  LOCALES,
  PAYLOADS,
  prototypePolluted,
  TIME_ZONES,
} from '../support/hostile.ts';
import { random } from '../support/random.ts';
import {
  countDiff,
  crashes,
  loadCatalog,
  type MemorySimulation,
  simulateOnMemory,
  withSesEmulator,
} from '../support/world.ts';
import type { FaultCheck, FaultRow } from '../types.ts';

const START = '2026-03-02T08:00:00Z';
const DAY = 86_400_000;
const at = (days: number) => new Date(Date.parse(START) + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The shipped catalog with the customer's name and order in front of every subject. */
export function personalSubjects(catalog: Catalog): Catalog {
  const templates: TemplateCatalog = structuredClone(catalog.templates);
  for (const message of Object.values(templates.messages)) {
    for (const strings of Object.values(message.strings)) {
      if (strings.subject !== undefined)
        strings.subject = `{% if customer.firstName %}{{ customer.firstName }}: {% endif %}{% if order %}{{ order.orderId }} {% endif %}${strings.subject}`;
    }
  }
  return { ...catalog, templates };
}

interface Customer {
  id: string;
  /** The benign twin whose messages this customer must get. */
  twin: string;
  email: string;
}

/** One customer's life: registration, a profile update, an order, its delivery and a low NPS score. */
function customerEvents(
  id: string,
  text: string,
  email: string,
  locale: string,
  timeZone: string,
  birthday: string,
): Scenario['events'] {
  const orderId = `${id}-${text}`.slice(0, 200);
  const item = JSON.parse(
    JSON.stringify({ sku: `${id}-${text}`.slice(0, 200), name: text, quantity: 2 }).replace(
      /^\{/,
      '{"__proto__":{"polluted":"yes"},',
    ),
  );
  const event = (days: number, detailType: string, detail: Record<string, unknown>) => ({
    at: at(days),
    id: `${id}-${detailType}`,
    source: 'shop',
    detailType,
    detail,
  });
  return [
    event(0, 'customer.registered', {
      customerId: id,
      email,
      firstName: text.slice(0, 200),
      locale,
      timeZone,
      marketingConsent: true,
      birthday,
    }),
    event(1, 'customer.updated', { customerId: id, firstName: `${text} `.slice(0, 200) }),
    event(2, 'order.placed', {
      orderId,
      customerId: id,
      placedAt: at(2),
      total: { amount: '49.90', currency: 'EUR' },
      items: [item, { sku: 'TEA-1', name: `Tea ${text}`, quantity: 1 }],
      discountCode: text,
    }),
    event(4, 'order.delivered', { orderId, customerId: id, deliveredAt: at(4) }),
    event(12, 'feedback.submitted', { customerId: id, orderId, score: 3, comment: text }),
  ];
}

function scenarios(size: 'small' | 'full', seed: number) {
  const rng = random(seed);
  const birthday = at(3).slice(5, 10);
  const hostile: Scenario['events'] = [];
  const benign: Scenario['events'] = [];
  const customers: Customer[] = [];
  const rounds = size === 'small' ? 1 : 4;
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    for (const payload of PAYLOADS) {
      const id = `h${n}`;
      const twin = `b${n}`;
      n++;
      const local =
        round === 0 && n <= EMAIL_LOCAL_PARTS.length ? (EMAIL_LOCAL_PARTS[n - 1] as string) : `${id}`;
      // Round 0: hostile text with an ordinary locale; later rounds: with valid locales at the edge.
      const locale = round === 0 ? 'en' : rng.pick(EDGE_LOCALES);
      const timeZone = round === 0 ? 'Europe/Berlin' : rng.pick(EDGE_TIME_ZONES);
      const email = `${local}@example.com`;
      hostile.push(...customerEvents(id, payload.value, email, locale, timeZone, birthday));
      benign.push(...customerEvents(twin, 'Anna', `${twin}@example.com`, 'en', 'Europe/Berlin', birthday));
      customers.push({ id, twin, email });
    }
  }
  // Every edge locale and time zone, valid or not, once with an ordinary name.
  for (const [k, locale] of LOCALES.entries()) {
    const id = `l${k}`;
    const timeZone = TIME_ZONES[k % TIME_ZONES.length] as string;
    hostile.push(...customerEvents(id, 'Anna', `${id}@example.com`, locale, timeZone, birthday));
    benign.push(...customerEvents(`bl${k}`, 'Anna', `bl${k}@example.com`, 'en', 'Europe/Berlin', birthday));
    customers.push({ id, twin: `bl${k}`, email: `${id}@example.com` });
  }
  // Small: up to the sorry email (day 12); full: also you-might-like, 30 days after delivery.
  const until = size === 'small' ? 'P13D' : 'P40D';
  const scenario = (events: Scenario['events']): Scenario => ({ start: START, until, events });
  return { hostile: scenario(hostile), benign: scenario(benign), customers };
}

/** Messages per customer, without times (a time zone at the edge moves quiet hours, not messages). */
function messagesOf(run: MemorySimulation, customerId: string): string[] {
  return run.result.emails.filter((e) => e.customerId === customerId).map((e) => `${e.journey}/${e.message}`);
}

/** The fields validation refused, e.g. "email, locale, timeZone". */
function rejectedFields(run: MemorySimulation): string {
  const fields = new Set(
    run.result.rejected.flatMap((r) => r.errors.map((e) => e.split(':')[0]?.trim() ?? e)),
  );
  return [...fields].sort().join(', ') || 'none';
}

/** Part 2: every message, several locales, every payload in every customer field at once. */
async function renderSweep(catalog: Catalog, size: 'small' | 'full') {
  const renderer = createRenderer(personalSubjects(catalog).templates);
  const locales =
    size === 'small' ? ['en', 'de-AT'] : ['en', 'de-AT', 'fr-FR', 'es', 'it', 'pt-BR', ...LOCALES];
  let cases = 0;
  const crashed: string[] = [];
  const leaked: string[] = [];
  for (const payload of PAYLOADS) {
    for (const message of Object.values(catalog.templates.messages)) {
      for (const locale of locales) {
        cases++;
        const item = JSON.parse(
          `{"__proto__":{"polluted":"yes"},"sku":${JSON.stringify(payload.value)},"name":${JSON.stringify(payload.value)},"quantity":1}`,
        );
        const data: RenderData = {
          customer: { firstName: payload.value, email: `${payload.value}@example.com`, orderCount: 1 },
          coupon: { code: payload.value, percentOff: 10, expiresAt: '2026-03-19T10:00:00Z' },
          shop: { name: 'Example Shop', url: 'https://shop.example' },
          links: {
            shop: 'https://shop.example/',
            unsubscribe: 'https://u.example/t/abc',
            member: 'https://u.example/member?token=abc',
            feedback: Array.from({ length: 11 }, (_, s) => `https://f.example/nps/${s}`),
          },
          order: {
            orderId: payload.value,
            placedAt: '2026-02-03T09:30:00Z',
            total: { amount: '59.90', currency: 'EUR' },
            items: [item],
            itemCount: 1,
          },
          feedback: { score: 3 },
          referral: { code: payload.value, shareUrl: 'https://shop.example/r/x' },
          invitation: { code: payload.value },
          reward: { amount: '15.00', currency: 'EUR' },
          // Loyalty ids are slugs by the program's schema; the payload stands in for one that is not.
          loyalty: {
            balance: 1234,
            pending: 59,
            tier: payload.value,
            nextTier: { id: payload.value, pointsNeeded: 266, threshold: 1500 },
            qualifying: 1234,
            progress: 0.73,
            expiring: { points: 1234, expiresAt: '2027-03-01T10:00:00Z' },
            atRisk: { downgradeAt: '2027-04-01T10:00:00Z', to: payload.value },
            rewards: [
              {
                id: payload.value,
                points: 500,
                affordable: true,
                amountOff: { amount: '5.00', currency: 'EUR' },
              },
            ],
          },
          redemption: { rewardId: payload.value, points: 500 },
        };
        try {
          const out = await renderer.render({
            journeyId: message.journeyId,
            message: message.message,
            locale,
            timeZone: 'Pacific/Chatham',
            data,
          });
          const leaks = emailLeaks({
            messageId: '',
            from: '',
            replyTo: [],
            destination: { to: ['x@example.com'], cc: [], bcc: [] },
            subject: out.subject,
            body: { html: out.html, text: out.text },
            attachments: [],
            at: 0,
          });
          if (leaks.length)
            leaked.push(`${message.journeyId}/${message.message} ${locale} ${payload.kind}: ${leaks[0]}`);
        } catch (error) {
          crashed.push(
            `${message.journeyId}/${message.message} ${locale} ${payload.kind}: ${(error as Error).message}`,
          );
        }
      }
    }
  }
  return { cases, crashed, leaked };
}

export default {
  name: 'hostile strings',
  async run({ size, seed }): Promise<FaultRow> {
    const catalog = personalSubjects(await loadCatalog());
    const { hostile, benign, customers } = scenarios(size, seed);
    return withSesEmulator(async (ses) => {
      const twin = await simulateOnMemory(benign, ses.endpoint, catalog);
      const control = twin.captured.flatMap((email) => emailLeaks(email));
      if (control.length) throw new Error(`the leak checks flag ordinary emails: ${control[0]}`);
      const run = await simulateOnMemory(hostile, ses.endpoint, catalog);

      const leaked: string[] = [];
      for (const email of run.captured) {
        for (const leak of emailLeaks(email)) leaked.push(`${email.destination.to[0]}: ${leak}`);
      }
      leaked.push(...prototypePolluted());
      const rejectedCustomers = new Set(
        run.result.rejected.map((r) => String(hostile.events[r.index]?.detail.customerId ?? '')),
      );
      let lost = 0;
      let doubled = 0;
      const differences: string[] = [];
      for (const customer of customers) {
        if (rejectedCustomers.has(customer.id)) continue;
        // The address is used as given: never evaluated, never changed.
        for (const email of run.result.emails.filter((e) => e.customerId === customer.id)) {
          if (email.to !== customer.email)
            leaked.push(`${customer.id}: sent to ${email.to}, not ${customer.email}`);
        }
        const expected = messagesOf(twin, customer.twin);
        const diff = countDiff(expected, messagesOf(run, customer.id));
        lost += diff.lost;
        doubled += diff.doubled;
        if (diff.lost || diff.doubled)
          differences.push(`${customer.id}: -${diff.missing.join(',')} +${diff.extra.join(',')}`);
      }
      const sweep = await renderSweep(await loadCatalog(), size);
      const crashed = [...crashes(run.result), ...sweep.crashed];
      leaked.push(...sweep.leaked);
      const first = [...crashed, ...leaked, ...differences][0];
      return {
        name: this.name,
        cases: hostile.events.length + sweep.cases,
        lost,
        doubled,
        crashed: crashed.length,
        leaked: leaked.length,
        note:
          `${customers.length} customers × ${hostile.events.length / customers.length} events (${run.result.rejected.length} rejected by validation: ${rejectedFields(run)}), ` +
          `${run.captured.length} emails checked; ${sweep.cases} direct renders` +
          (first ? `; first problem: ${first.slice(0, 160)}` : ''),
      };
    });
  },
} satisfies FaultCheck;
