/**
 * `npm run demo`: sends a few demo customers to the running local runtime (`npm start`), so their
 * welcome emails — German, Austrian German, English and a Brazilian customer who falls back to
 * English — appear in the mail viewer within seconds.
 */
const endpoint = process.env.EVENTS_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/events`;
const stamp = Date.now().toString(36);

const customers = [
  {
    firstName: 'Anna',
    email: 'anna@example.de',
    locale: 'de-DE',
    timeZone: 'Europe/Berlin',
    marketingConsent: true,
  },
  {
    firstName: 'Lukas',
    email: 'lukas@example.at',
    locale: 'de-AT',
    timeZone: 'Europe/Vienna',
    marketingConsent: true,
  },
  {
    firstName: 'Emma',
    email: 'emma@example.co.uk',
    locale: 'en-GB',
    timeZone: 'Europe/London',
    marketingConsent: true,
  },
  {
    firstName: 'João',
    email: 'joao@example.com.br',
    locale: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
    marketingConsent: false,
  },
];

const entry = (detailType: string, detail: Record<string, unknown>) => ({
  Source: 'shop',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

async function put(entries: ReturnType<typeof entry>[]) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Entries: entries }),
  });
  if (!response.ok) throw new Error(`${endpoint}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as { FailedEntryCount: number; Entries: unknown[] };
}

try {
  const registrations = customers.map((c, i) =>
    entry('customer.registered', {
      customerId: `demo-${stamp}-${i + 1}`,
      registeredAt: new Date().toISOString(),
      ...c,
    }),
  );
  const result = await put(registrations);
  console.log(`Sent ${registrations.length} registrations (${result.FailedEntryCount} failed).`);
  // Emma orders at once (her onboarding exits, its goal reached) and the parcel arrives: a week after
  // delivery she is asked for a review with an NPS question.
  await put([
    entry('order.placed', {
      orderId: `demo-${stamp}-order-1`,
      customerId: `demo-${stamp}-3`,
      placedAt: new Date().toISOString(),
      total: { amount: '59.90', currency: 'GBP' },
      items: [
        { sku: 'ESP-250', name: 'Espresso Blend 250 g', quantity: 2, unitPrice: '19.95' },
        { sku: 'MUG-BLUE', name: 'Stoneware mug, blue', quantity: 1, unitPrice: '20.00' },
      ],
    }),
  ]);
  await put([
    entry('order.delivered', {
      orderId: `demo-${stamp}-order-1`,
      customerId: `demo-${stamp}-3`,
      deliveredAt: new Date().toISOString(),
    }),
  ]);
  // A malformed order: rejected with a message naming the field, kept on the rejected log.
  await put([
    entry('order.placed', {
      orderId: 'bad',
      customerId: `demo-${stamp}-1`,
      placedAt: new Date().toISOString(),
      total: { amount: '5.00' },
    }),
  ]);
  console.log(
    'Sent an order for Emma (delivered at once) and one malformed order (see the runtime log for its rejection).',
  );
  const viewer = new URL('/mail', endpoint).href;
  console.log(`
Open the mail viewer: ${viewer}
Its buttons move the clock, so what the journeys send over the coming days arrives now:
  +2 days   the getting-started tips (Anna, Lukas; João gave no marketing consent)
  +1 week   the first-order offer with its coupon, and Emma's review request: a click on its
            0–10 question opens the NPS page`);
} catch (error) {
  console.error(`Could not reach the local runtime at ${endpoint}: ${(error as Error).message}`);
  console.error('Start it first with `npm start`.');
  process.exit(1);
}
