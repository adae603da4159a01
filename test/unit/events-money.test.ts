/**
 * Prices and refund amounts as decimal strings, as most shop systems send them: accepted in the
 * event's currency and parsed into the same money object as before, or rejected naming the field.
 */
import { describe, expect, it } from 'vitest';
import { parseShopEvent, type RawEvent } from '../../functions/core/events.ts';

const NOW = '2026-03-02T08:00:00Z';
const raw = (detailType: string, detail: unknown): RawEvent => ({
  id: 'evt-1',
  source: 'shop',
  detailType,
  time: NOW,
  detail,
});
const order = (items: unknown[], currency = 'EUR') =>
  raw('order.placed', {
    orderId: 'o1',
    customerId: 'c1',
    placedAt: NOW,
    total: { amount: '74.85', currency },
    items,
  });
const refund = (fields: Record<string, unknown>) =>
  raw('order.refunded', { orderId: 'o1', customerId: 'c1', ...fields });
const parsed = (event: RawEvent) => {
  const result = parseShopEvent(event, { now: NOW });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.event.detail;
};
const errorsOf = (event: RawEvent) => {
  const result = parseShopEvent(event, { now: NOW });
  return result.ok ? [] : result.errors;
};

describe('order.placed: item unitPrice', () => {
  it('as a decimal string is money in the order total currency', () => {
    // Act
    const detail = parsed(
      order(
        [
          { sku: 'A', quantity: 2, unitPrice: '24.95' },
          { sku: 'B', quantity: 1, unitPrice: { amount: '24.95', currency: 'CHF' } },
          { sku: 'C', quantity: 1 },
        ],
        'CHF',
      ),
    );

    // Assess
    expect(detail).toMatchObject({
      items: [
        { sku: 'A', quantity: 2, unitPrice: { amount: '24.95', currency: 'CHF' } },
        { sku: 'B', quantity: 1, unitPrice: { amount: '24.95', currency: 'CHF' } },
        { sku: 'C', quantity: 1 },
      ],
    });
    expect((detail as { items: object[] }).items[2]).not.toHaveProperty('unitPrice');
  });

  it('keeps an order without items without items', () => {
    const detail = parsed(
      raw('order.placed', {
        orderId: 'o1',
        customerId: 'c1',
        placedAt: NOW,
        total: { amount: '1.00', currency: 'EUR' },
      }),
    );
    expect(detail).not.toHaveProperty('items');
  });

  it.each([
    [
      24.95,
      'items.0.unitPrice: must be a decimal string such as "24.95" (currency from the order\'s total.currency) or money { amount, currency }',
    ],
    [
      null,
      'items.0.unitPrice: must be a decimal string such as "24.95" (currency from the order\'s total.currency) or money { amount, currency }',
    ],
    ['24,95', 'items.0.unitPrice: must be a non-negative decimal string such as "59.90"'],
    ['-1.00', 'items.0.unitPrice: must be a non-negative decimal string such as "59.90"'],
    ['', 'items.0.unitPrice: must be a non-negative decimal string such as "59.90"'],
    [
      { amount: '24.95' },
      'items.0.unitPrice.currency: required (rule: order.placed requires items.0.unitPrice.currency)',
    ],
    [
      { amount: 24.95, currency: 'EUR' },
      'items.0.unitPrice.amount: must be a decimal string such as "59.90", not a number',
    ],
    [
      { amount: '24.95', currency: 'eur' },
      [
        'items.0.unitPrice.currency: must be a three-letter ISO 4217 code in capitals, e.g. EUR',
        'items.0.unitPrice.currency: must be a known ISO 4217 currency code',
      ],
    ],
  ])('%j is rejected: %s', (unitPrice, error) => {
    expect(errorsOf(order([{ sku: 'A', quantity: 1, unitPrice }]))).toEqual([error].flat());
  });
});

describe('order.refunded: amount', () => {
  it('as a decimal string with the refund currency is money', () => {
    // Act
    const detail = parsed(refund({ amount: '12.50', currency: 'EUR' }));

    // Assess: the same shape as a refund sent with money; `currency` is folded into it
    expect(detail).toEqual({ orderId: 'o1', customerId: 'c1', amount: { amount: '12.50', currency: 'EUR' } });
  });

  it('as money is unchanged, with or without a matching currency', () => {
    const money = { amount: '12.50', currency: 'EUR' };
    expect(parsed(refund({ amount: money }))).toEqual({ orderId: 'o1', customerId: 'c1', amount: money });
    expect(parsed(refund({ amount: money, currency: 'EUR' }))).toEqual({
      orderId: 'o1',
      customerId: 'c1',
      amount: money,
    });
  });

  it('may be left out (a refund of unknown amount)', () => {
    expect(parsed(refund({}))).toEqual({ orderId: 'o1', customerId: 'c1' });
  });

  it.each([
    [
      { amount: '12.50' },
      'currency: required (rule: order.refunded with amount as a decimal string requires currency)',
    ],
    [
      { amount: '12.50', currency: 'Euro' },
      [
        'currency: must be a three-letter ISO 4217 code in capitals, e.g. EUR',
        'currency: must be a known ISO 4217 currency code',
      ],
    ],
    [{ amount: '12.50', currency: 'XYZ' }, 'currency: must be a known ISO 4217 currency code'],
    [
      { amount: { amount: '12.50', currency: 'EUR' }, currency: 'USD' },
      'currency: "USD" differs from amount.currency "EUR" (rule: a refund has one currency)',
    ],
    [
      { amount: 12.5, currency: 'EUR' },
      'amount: must be a decimal string such as "24.95" (currency from the refund\'s currency field) or money { amount, currency }',
    ],
    [
      { amount: '12.505.1', currency: 'EUR' },
      'amount: must be a non-negative decimal string such as "59.90"',
    ],
  ])('%j is rejected: %s', (fields, error) => {
    expect(errorsOf(refund(fields))).toEqual([error].flat());
  });
});
